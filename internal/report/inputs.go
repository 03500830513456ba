package report

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"

	"github.com/pctracker/pctracker/internal/errs"
)

// ActionSource calls fn with each accepted action of a report, one at a
// time, in the order the report lists them (by organisation, then title),
// and stops at the first error. A source can be read any number of times.
type ActionSource func(fn func(Action) error) error

// InputsFormat names the layout of stored inputs: JSON Lines, the header
// (Inputs) on the first line, then one action per line.
const InputsFormat = "pctracker-report-inputs/2"

// header is the first line of stored inputs.
type header struct {
	Format string `json:"format"`
	Inputs
}

// maxInputLine bounds one stored line: an action with its title and
// evidence takes a few kilobytes; the header, with its organisations and
// the previous cycle's figures, can take a few megabytes.
const maxInputLine = 64 << 20

// EncodeInputs writes inputs and their actions as JSON Lines, a line at a
// time, and returns how many actions it wrote. The bytes depend on the
// inputs alone, so their checksum names them.
func EncodeInputs(w io.Writer, in Inputs, actions ActionSource) (int, error) {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw) // one value per line, newline-terminated
	enc.SetEscapeHTML(false)
	if err := enc.Encode(header{Format: InputsFormat, Inputs: in}); err != nil {
		return 0, errs.Wrap(errs.Internal, err, "encode report inputs")
	}
	n := 0
	err := actions(func(a Action) error {
		n++
		return enc.Encode(a)
	})
	if err != nil {
		return n, err
	}
	return n, bw.Flush()
}

// Pack encodes inputs and their actions for storage: the gzip of their
// JSON Lines, written as the actions are read. It returns the packed bytes,
// the SHA-256 of the JSON Lines (which names the inputs whatever the
// compression) and how many actions it wrote.
func Pack(in Inputs, actions ActionSource) (packed []byte, sha string, n int, err error) {
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestSpeed)
	if err != nil {
		return nil, "", 0, errs.Wrap(errs.Internal, err, "compress report inputs")
	}
	sum := newSummer(zw)
	if n, err = EncodeInputs(sum, in, actions); err != nil {
		return nil, "", n, err
	}
	if err := zw.Close(); err != nil {
		return nil, "", n, errs.Wrap(errs.Internal, err, "compress report inputs")
	}
	return b.Bytes(), sum.digest(), n, nil
}

// Stored are inputs as stored: the header is read at once, the actions a
// line at a time each time they are asked for.
type Stored struct {
	Inputs
	packed []byte
}

// Unpack reads the header of packed inputs.
func Unpack(packed []byte) (Stored, error) {
	st := Stored{packed: packed}
	err := st.scan(func(line []byte) error {
		var h header
		if err := json.Unmarshal(line, &h); err != nil {
			return errs.Wrap(errs.Internal, err, "read report inputs")
		}
		if h.Format != InputsFormat {
			return errs.E(errs.Internal, "report inputs in an unknown format %q", h.Format)
		}
		st.Inputs = h.Inputs
		return errStop
	})
	if err != nil && err != errStop {
		return Stored{}, err
	}
	if st.Inputs.Cycle.Year == 0 {
		return Stored{}, errs.E(errs.Internal, "report inputs without a header")
	}
	return st, nil
}

var errStop = errors.New("stop")

// scan calls fn with each line of the packed inputs.
func (s Stored) scan(fn func(line []byte) error) error {
	zr, err := gzip.NewReader(bytes.NewReader(s.packed))
	if err != nil {
		return errs.Wrap(errs.Internal, err, "read report inputs")
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 0, 64<<10), maxInputLine)
	for sc.Scan() {
		if err := fn(sc.Bytes()); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return errs.Wrap(errs.Internal, err, "read report inputs")
	}
	return nil
}

// Actions is the stored actions as a source.
func (s Stored) Actions(fn func(Action) error) error {
	first := true
	return s.scan(func(line []byte) error {
		if first { // the header
			first = false
			return nil
		}
		var a Action
		if err := json.Unmarshal(line, &a); err != nil {
			return errs.Wrap(errs.Internal, err, "read a report input")
		}
		return fn(a)
	})
}

// Slice is a source over actions held in memory, for small reports made
// by hand (tests, examples).
func Slice(as []Action) ActionSource {
	return func(fn func(Action) error) error {
		for _, a := range as {
			if err := fn(a); err != nil {
				return err
			}
		}
		return nil
	}
}
