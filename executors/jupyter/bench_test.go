package jupyter

import (
	"context"
	"encoding/json"
	"sort"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-go/parley/executors"
)

// reportMedian adds the median of ds as a metric: means hide the tail
// either way, and the median is what a chat feels per cell.
func reportMedian(b *testing.B, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "median-ms")
}

// BenchmarkCell measures a trivial cell on a warm kernel through Execute,
// next to two floors on the same kernel over a bare websocket: a
// kernel_info_request round trip, and the execute_request of the same cell
// waiting only for its execute_reply.
func BenchmarkCell(b *testing.B) {
	e := newExec(b, Config{})
	ctx := context.Background()
	blocks := []executors.CodeBlock{py("1+1")}
	res, err := e.Execute(ctx, blocks) // start and warm the kernel
	if err != nil || !res.Succeeded() || res.Blocks[0].Output != "2\n" {
		b.Fatalf("warm-up: %v %+v", err, res)
	}
	b.Run("raw_kernel_info_roundtrip", func(b *testing.B) {
		rawRoundTrip(b, e, "kernel_info_request", struct{}{}, "kernel_info_reply")
	})
	b.Run("raw_execute_1+1", func(b *testing.B) {
		rawRoundTrip(b, e, "execute_request", executeRequest{Code: "1+1", StoreHistory: true, UserExpressions: map[string]string{}}, "execute_reply")
	})
	b.Run("execute_1+1", func(b *testing.B) {
		ds := make([]time.Duration, 0, b.N)
		for b.Loop() {
			t0 := time.Now()
			res, err := e.Execute(ctx, blocks)
			if err != nil || !res.Succeeded() {
				b.Fatalf("%v %+v", err, res)
			}
			ds = append(ds, time.Since(t0))
		}
		reportMedian(b, ds)
	})
}

// BenchmarkKernelStart measures starting a kernel until it answers
// kernel_info_request, and deleting it, on a running server.
func BenchmarkKernelStart(b *testing.B) {
	srv := sharedServer(b)
	ctx := context.Background()
	for b.Loop() {
		e, err := New(ctx, Config{URL: srv.URL(), Token: srv.Token(), OutputDir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		e.mu.Lock()
		err = e.ensureKernel(ctx)
		e.mu.Unlock()
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		_ = e.Close()
		b.StartTimer()
	}
}

// BenchmarkServerStart measures StartServer until GET /api/kernelspecs
// answers, and Close.
func BenchmarkServerStart(b *testing.B) {
	needJupyter(b)
	ctx := context.Background()
	for b.Loop() {
		s, err := StartServer(ctx, ServerConfig{})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		_ = s.Close()
		b.StartTimer()
	}
}

// rawRoundTrip sends one request over a bare websocket and waits for its
// reply: the floor under anything the executor adds.
func rawRoundTrip(b *testing.B, e *Executor, reqType string, content any, replyType string) {
	ctx := context.Background()
	ws, _, err := websocket.Dial(ctx, e.rest.wsURL(e.kernelID, newID()), &websocket.DialOptions{HTTPClient: e.hc, HTTPHeader: e.rest.header()})
	if err != nil {
		b.Fatal(err)
	}
	defer ws.CloseNow()
	ws.SetReadLimit(maxMessageBytes)
	ch := newChannels("", nil, nil, e.log)
	ds := make([]time.Duration, 0, b.N)
	for b.Loop() {
		t0 := time.Now()
		req, _ := ch.request(reqType, "shell", content, nil)
		data, _ := json.Marshal(req)
		if err := ws.Write(ctx, websocket.MessageText, data); err != nil {
			b.Fatal(err)
		}
		for {
			_, data, err := ws.Read(ctx)
			if err != nil {
				b.Fatal(err)
			}
			var m message
			_ = json.Unmarshal(data, &m)
			if m.Header.MsgType == replyType && m.ParentHeader.MsgID == req.Header.MsgID {
				break
			}
		}
		ds = append(ds, time.Since(t0))
	}
	reportMedian(b, ds)
}
