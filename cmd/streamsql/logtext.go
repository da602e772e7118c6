package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"sync"
)

// plainHandler is --log-format text: each record is one line in the
// CLI's own voice, "streamsql: warning: MESSAGE k=v ...", so a run's
// warnings read the same with a logger as without one. slog's
// TextHandler renders the attributes (quoting, groups, WithAttrs) without
// its time, level and message; the event kind is left to
// --log-format json, which is for machines.
type plainHandler struct {
	w    io.Writer
	mu   *sync.Mutex   // one line at a time, shared with derived handlers
	buf  *bytes.Buffer // the attributes of the line being written
	text slog.Handler  // writes the attributes into buf
}

func newPlainHandler(w io.Writer, opts slog.HandlerOptions) *plainHandler {
	opts.ReplaceAttr = func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) == 0 {
			switch a.Key {
			case slog.TimeKey, slog.LevelKey, slog.MessageKey, "event":
				return slog.Attr{}
			}
		}
		return a
	}
	buf := &bytes.Buffer{}
	return &plainHandler{w: w, mu: &sync.Mutex{}, buf: buf, text: slog.NewTextHandler(buf, &opts)}
}

func (h *plainHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.text.Enabled(ctx, l) }

func (h *plainHandler) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	c.text = h.text.WithAttrs(as)
	return &c
}

func (h *plainHandler) WithGroup(name string) slog.Handler {
	c := *h
	c.text = h.text.WithGroup(name)
	return &c
}

func (h *plainHandler) Handle(ctx context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.buf.Reset()
	if err := h.text.Handle(ctx, r); err != nil {
		return err
	}
	line := append([]byte("streamsql: "), levelWord(r.Level)...)
	line = append(line, r.Message...)
	if attrs := bytes.TrimSpace(h.buf.Bytes()); len(attrs) > 0 {
		line = append(append(line, ' '), attrs...)
	}
	_, err := h.w.Write(append(line, '\n'))
	return err
}

// levelWord is how the CLI's lines name a level ("" for info).
func levelWord(l slog.Level) string {
	switch {
	case l >= slog.LevelError:
		return "error: "
	case l >= slog.LevelWarn:
		return "warning: "
	case l < slog.LevelInfo:
		return "debug: "
	}
	return ""
}
