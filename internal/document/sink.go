package document

import (
	"context"
	"errors"
	"io"

	"github.com/pctracker/pctracker/internal/report"
)

// sink is a document that lists every action (CSV, JSON, XLSX): it starts
// with the figures, takes the actions one at a time as they are read, and
// is finished once they have all come. finish also releases what the sink
// holds, so it is called even after an error.
type sink interface {
	row(l report.Listed) error
	finish() error
}

func (r *Renderer) newSink(out io.Writer, f report.Figures, format report.Format, w words) (sink, error) {
	switch format {
	case report.CSV:
		return newCSVSink(out, f, w)
	case report.JSON:
		return newJSONSink(out, f, w)
	case report.XLSX:
		return newXLSXSink(out, f, w, &r.zipping)
	}
	return nil, errors.New("not a listing format: " + string(format))
}

// sinkQueue is how many actions a sink may fall behind the reader.
const sinkQueue = 256

// WriteAll writes several documents of c. The documents that list every
// action read them in one pass, each sink in its own goroutine: the
// actions are decoded once whatever the number of documents, and the
// documents are written side by side on as many cores as there are.
func (r *Renderer) WriteAll(ctx context.Context, c report.Compiled, outs []report.Output) error {
	var sinks []sink
	fail := func(err error) error {
		for _, s := range sinks {
			s.finish()
		}
		return err
	}
	for _, o := range outs {
		w, ok := r.words[o.Lang]
		if !ok {
			return fail(errInvalidLang())
		}
		switch o.Format {
		case report.CSV, report.JSON, report.XLSX:
			s, err := r.newSink(o.W, c.Figures, o.Format, w)
			if err != nil {
				return fail(err)
			}
			sinks = append(sinks, s)
		default:
			if err := r.Write(ctx, o.W, c, o.Format, o.Lang); err != nil {
				return fail(err)
			}
		}
	}
	queues := make([]chan report.Listed, len(sinks))
	results := make([]chan error, len(sinks))
	for i, s := range sinks {
		queues[i], results[i] = make(chan report.Listed, sinkQueue), make(chan error, 1)
		go func() {
			var err error
			for l := range queues[i] {
				if err == nil { // after an error, drain, so that the reader never blocks
					err = s.row(l)
				}
			}
			if ferr := s.finish(); err == nil {
				err = ferr
			}
			results[i] <- err
		}()
	}
	first := c.EachListed(func(l report.Listed) error {
		for _, q := range queues {
			select {
			case q <- l:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	})
	for i := range sinks {
		close(queues[i])
		if err := <-results[i]; first == nil {
			first = err
		}
	}
	return first
}
