//go:build !linux

package jupyter

import "net/http"

func defaultHTTPClient() *http.Client { return &http.Client{} }
