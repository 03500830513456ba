package server

import (
	"bufio"
	"io"
	"mime"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/cache"
	"github.com/pctracker/pctracker/internal/etag"
)

// compress compresses, as it goes out, a text answer of at least min bytes
// in the coding the client accepts. Answers that come compressed already
// (the cached public answers, precompressed assets) pass as they are: a
// body is never compressed twice. Levels are the fast ones: this is paid
// on every request.
func compress(min int) echo.MiddlewareFunc {
	gz := sync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(io.Discard, gzip.DefaultCompression); return w }}
	br := sync.Pool{New: func() any { return brotli.NewWriterOptions(io.Discard, brotli.WriterOptions{Quality: 4, LGWin: 16}) }}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			enc := cache.Negotiate(c.Request().Header.Get("Accept-Encoding"))
			res := c.Response()
			cw := &compressWriter{ResponseWriter: res.Writer, enc: enc, min: min, gz: &gz, br: &br}
			res.Writer = cw
			// An error page is written after this returns, a panic's too:
			// uncompressed, by the writer underneath.
			defer func() { res.Writer = cw.ResponseWriter }()
			err := next(c)
			if cerr := cw.finish(); err == nil {
				err = cerr
			}
			return err
		}
	}
}

// compressWriter holds back the status and the first min bytes until it
// knows whether the answer is worth compressing.
type compressWriter struct {
	http.ResponseWriter
	enc    string
	min    int
	gz, br *sync.Pool
	status int
	buf    []byte
	out    io.Writer // where the body goes once decided; nil before
	zw     io.WriteCloser
}

func (w *compressWriter) WriteHeader(status int) {
	if w.status == 0 && status >= 200 {
		w.status = status
	}
}

func (w *compressWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.out != nil {
		return w.out.Write(b)
	}
	if len(w.buf)+len(b) < w.min && w.Header().Get("Content-Encoding") == "" {
		w.buf = append(w.buf, b...)
		return len(b), nil
	}
	// Decided now: a body that comes whole (most do) is not copied.
	pending := b
	if len(w.buf) > 0 {
		pending = append(w.buf, b...)
	}
	if err := w.decide(pending); err != nil {
		return 0, err
	}
	return len(b), nil
}

// decide sends the header and the first bytes, compressing when the
// answer is text, long enough, not compressed already and not a part of a
// file.
func (w *compressWriter) decide(first []byte) error {
	h := w.Header()
	w.out, w.buf = w.ResponseWriter, nil
	if h.Get("Content-Type") == "" && len(first) > 0 {
		// As net/http would, but from the bytes before they are compressed.
		h.Set("Content-Type", http.DetectContentType(first))
	}
	if compressible(h, w.status, first) && len(first) >= w.min && taggedFor(h.Get("ETag"), w.enc) {
		etag.Vary(h, "Accept-Encoding")
		if w.enc != "" {
			h.Set("Content-Encoding", w.enc)
			h.Del("Content-Length")
			w.zw = w.writer()
			w.out = w.zw
		}
	}
	w.ResponseWriter.WriteHeader(w.status)
	if len(first) == 0 {
		return nil
	}
	_, err := w.out.Write(first)
	return err
}

func (w *compressWriter) writer() io.WriteCloser {
	if w.enc == cache.Brotli {
		z := w.br.Get().(*brotli.Writer)
		z.Reset(w.ResponseWriter)
		return z
	}
	z := w.gz.Get().(*gzip.Writer)
	z.Reset(w.ResponseWriter)
	return z
}

// finish sends what is held back and ends the compressed stream.
func (w *compressWriter) finish() error {
	if w.status == 0 {
		return nil // nothing written: the error handler writes the answer
	}
	if w.out == nil {
		if err := w.decide(w.buf); err != nil {
			return err
		}
	}
	if w.zw == nil {
		return nil
	}
	err := w.zw.Close()
	switch z := w.zw.(type) {
	case *gzip.Writer:
		w.gz.Put(z)
	case *brotli.Writer:
		w.br.Put(z)
	}
	w.zw = nil
	return err
}

// Flush sends what is held back, so that a streamed answer (a long
// export) starts at once.
func (w *compressWriter) Flush() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.out == nil {
		if err := w.decide(w.buf); err != nil {
			return
		}
	}
	if f, ok := w.zw.(interface{ Flush() error }); ok {
		_ = f.Flush()
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *compressWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *compressWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// taggedFor says whether an answer with the entity tag tag may go out in
// the coding enc: with no tag, or a tag made for that coding (package
// etag's). Any other tag names the identity bytes, such as a published
// report's SHA-256, which promises the bytes on the wire.
func taggedFor(tag, enc string) bool {
	return tag == "" || enc == "" || strings.HasSuffix(tag, etag.Suffix(enc)+`"`)
}

// compressible says whether an answer is text that gains by compression,
// whole and with a body.
func compressible(h http.Header, status int, body []byte) bool {
	if status < 200 || status == http.StatusNoContent || status == http.StatusNotModified ||
		status == http.StatusPartialContent || h.Get("Content-Encoding") != "" || h.Get("Content-Range") != "" {
		return false
	}
	return len(body) > 0 && textType(h.Get("Content-Type"))
}

// textType says whether a media type is text that compresses well.
func textType(contentType string) bool {
	t, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(t, "text/"), strings.HasSuffix(t, "+json"), strings.HasSuffix(t, "+xml"):
		return true
	}
	switch t {
	case "application/json", "application/javascript", "application/xml", "image/svg+xml",
		"application/x-ndjson", "application/geo+json", "application/ld+json", "application/manifest+json":
		return true
	}
	return false
}
