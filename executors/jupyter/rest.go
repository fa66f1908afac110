package jupyter

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// HTTPError is a non-2xx answer from the Jupyter REST API.
type HTTPError struct {
	Method     string
	URL        string
	StatusCode int
	Body       string
}

func (e *HTTPError) Error() string {
	hint := ""
	switch e.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden:
		hint = ": the server refused the token; set Config.Token or PARLEY_JUPYTER_TOKEN"
	case http.StatusNotFound:
		hint = ": not found"
	}
	return fmt.Sprintf("jupyter: %s %s: HTTP %d%s %s", e.Method, e.URL, e.StatusCode, hint, strings.TrimSpace(e.Body))
}

func isNotFound(err error) bool {
	var he *HTTPError
	return errors.As(err, &he) && he.StatusCode == http.StatusNotFound
}

// rest is a small client for the parts of the REST API we use.
type rest struct {
	base  *url.URL // with a trailing slash
	token string
	hc    *http.Client
}

func newRest(rawURL, token string, hc *http.Client) (*rest, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("jupyter: bad server URL %q: %w", rawURL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("jupyter: bad server URL %q: want http://host:port or https://host:port", rawURL)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	u.RawQuery, u.Fragment = "", ""
	return &rest{base: u, token: token, hc: hc}, nil
}

func (r *rest) url(path string) string {
	return r.base.JoinPath(path).String()
}

// wsURL is the websocket address of a kernel's channels.
func (r *rest) wsURL(kernelID, session string) string {
	u := *r.base.JoinPath("api", "kernels", kernelID, "channels")
	if u.Scheme == "https" {
		u.Scheme = "wss"
	} else {
		u.Scheme = "ws"
	}
	u.RawQuery = url.Values{"session_id": {session}}.Encode()
	return u.String()
}

func (r *rest) header() http.Header {
	h := http.Header{}
	if r.token != "" {
		h.Set("Authorization", "token "+r.token)
	}
	return h
}

func (r *rest) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	u := r.url(path)
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return fmt.Errorf("jupyter: %w", err)
	}
	req.Header = r.header()
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := r.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("jupyter: %s %s: %w", method, u, ctx.Err())
		}
		return fmt.Errorf("jupyter: cannot reach the server at %s: %w: is it running, and are the URL and token right?", r.base, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("jupyter: %s %s: read answer: %w", method, u, err)
	}
	if resp.StatusCode/100 != 2 {
		return &HTTPError{Method: method, URL: u, StatusCode: resp.StatusCode, Body: string(data)}
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("jupyter: %s %s: bad answer: %w", method, u, err)
		}
	}
	return nil
}

// ping checks that a Jupyter server answers at the base URL, accepts our
// token (GET /api is public, the kernelspecs are not) and has the kernel.
func (r *rest) ping(ctx context.Context, kernel string) error {
	var v struct {
		Version string `json:"version"`
	}
	if err := r.do(ctx, http.MethodGet, "api", nil, &v); err != nil {
		return err
	}
	if v.Version == "" {
		return fmt.Errorf("jupyter: %s answered, but not like a Jupyter server (GET /api has no version)", r.base)
	}
	var specs struct {
		Kernelspecs map[string]json.RawMessage `json:"kernelspecs"`
	}
	if err := r.do(ctx, http.MethodGet, "api/kernelspecs", nil, &specs); err != nil {
		return err
	}
	if _, ok := specs.Kernelspecs[kernel]; !ok {
		names := make([]string, 0, len(specs.Kernelspecs))
		for n := range specs.Kernelspecs {
			names = append(names, n)
		}
		sort.Strings(names)
		return fmt.Errorf("jupyter: the server at %s has no %q kernelspec (it has: %s)", r.base, kernel, strings.Join(names, ", "))
	}
	return nil
}

type kernelModel struct {
	ID string `json:"id"`
}

func (r *rest) startKernel(ctx context.Context, name string) (kernelModel, error) {
	var k kernelModel
	err := r.do(ctx, http.MethodPost, "api/kernels", map[string]string{"name": name}, &k)
	if err == nil && k.ID == "" {
		err = fmt.Errorf("jupyter: POST %s: no kernel id in the answer", r.url("api/kernels"))
	}
	return k, err
}

func (r *rest) interruptKernel(ctx context.Context, id string) error {
	return r.do(ctx, http.MethodPost, "api/kernels/"+url.PathEscape(id)+"/interrupt", nil, nil)
}

func (r *rest) restartKernel(ctx context.Context, id string) error {
	return r.do(ctx, http.MethodPost, "api/kernels/"+url.PathEscape(id)+"/restart", nil, nil)
}

func (r *rest) deleteKernel(ctx context.Context, id string) error {
	return r.do(ctx, http.MethodDelete, "api/kernels/"+url.PathEscape(id), nil, nil)
}
