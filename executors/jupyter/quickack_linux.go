//go:build linux

package jupyter

import (
	"context"
	"net"
	"net/http"
	"syscall"
	"time"
)

// defaultHTTPClient acknowledges every TCP segment at once. Jupyter Server
// does not set TCP_NODELAY on its websockets, so Nagle's algorithm holds
// each small frame until the previous one is acknowledged, and Linux delays
// ACKs by up to 40 ms: every cell would take 40 ms instead of about one.
// Quick ACKs on our side take that delay away. Linux resets TCP_QUICKACK
// after a while, so it is set again before every read.
func defaultHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		if tc, ok := c.(*net.TCPConn); ok {
			if rc, err := tc.SyscallConn(); err == nil {
				return &quickAckConn{Conn: c, rc: rc}, nil
			}
		}
		return c, nil
	}
	return &http.Client{Transport: t}
}

type quickAckConn struct {
	net.Conn
	rc syscall.RawConn
}

func (c *quickAckConn) Read(p []byte) (int, error) {
	_ = c.rc.Control(func(fd uintptr) {
		_ = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_QUICKACK, 1)
	})
	return c.Conn.Read(p)
}
