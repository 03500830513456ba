package cache

import (
	"bytes"
	"io"
	"strconv"
	"strings"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
)

// The content codings pctracker answers in, besides identity (""), as
// Content-Encoding names them.
const (
	Gzip   = "gzip"
	Brotli = "br"
)

// Answer is a public answer with its compressed forms, made once when the
// answer is built.
type Answer struct {
	Type     string // its Content-Type
	Identity []byte
	Gzip     []byte
	Brotli   []byte
}

// NewAnswer compresses b both ways. Compression is paid once per version
// of the data, so it uses the best levels that still take milliseconds.
func NewAnswer(contentType string, b []byte) (*Answer, error) {
	a := &Answer{Type: contentType, Identity: b}
	var err error
	if a.Gzip, err = Compress(Gzip, b, gzip.BestCompression); err != nil {
		return nil, err
	}
	if a.Brotli, err = Compress(Brotli, b, 9); err != nil {
		return nil, err
	}
	return a, nil
}

// Body returns the bytes of the answer in the coding enc (one that
// Negotiate returned).
func (a *Answer) Body(enc string) []byte {
	switch enc {
	case Brotli:
		return a.Brotli
	case Gzip:
		return a.Gzip
	}
	return a.Identity
}

func (a *Answer) size() int { return len(a.Identity) + len(a.Gzip) + len(a.Brotli) }

// Compress returns b compressed in the coding enc at level.
func Compress(enc string, b []byte, level int) ([]byte, error) {
	var buf bytes.Buffer
	w, err := NewWriter(enc, &buf, level)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// brotliWindow is the log2 of the window of the brotli encoder: 64 KiB.
// At levels 5 to 9 a window this small takes the encoder's small match
// finder, whose tables weigh 2 MB where the default window's weigh 32 MB
// per answer, in the time of a third; the answers grow by about 2 %.
const brotliWindow = 16

// NewWriter returns a writer that compresses into w in the coding enc.
func NewWriter(enc string, w io.Writer, level int) (io.WriteCloser, error) {
	if enc == Brotli {
		return brotli.NewWriterOptions(w, brotli.WriterOptions{Quality: level, LGWin: brotliWindow}), nil
	}
	return gzip.NewWriterLevel(w, level)
}

// Negotiate picks the coding of an answer from the request's
// Accept-Encoding (RFC 9110, 12.5.3): brotli, then gzip, among those the
// client accepts with a weight above zero, the higher weight first; ""
// (identity) when it accepts neither. A client that refuses identity too
// still gets identity: a readable answer beats a 406.
func Negotiate(acceptEncoding string) string {
	if acceptEncoding == "" {
		return ""
	}
	best, bestQ := "", 0.0
	wildcard := -1.0
	q := map[string]float64{}
	for _, part := range strings.Split(acceptEncoding, ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.ToLower(strings.TrimSpace(name))
		weight := 1.0
		if k, v, ok := strings.Cut(strings.TrimSpace(params), "="); ok && strings.EqualFold(strings.TrimSpace(k), "q") {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || f < 0 || f > 1 {
				continue
			}
			weight = f
		}
		switch name {
		case "*":
			wildcard = weight
		case "x-gzip":
			q[Gzip] = weight
		default:
			q[name] = weight
		}
	}
	for _, enc := range []string{Brotli, Gzip} {
		w, ok := q[enc]
		if !ok && wildcard >= 0 {
			w, ok = wildcard, true
		}
		if ok && w > bestQ {
			best, bestQ = enc, w
		}
	}
	return best
}
