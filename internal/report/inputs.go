package report

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"hash"

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

// ChunkActions is how many actions go in one stored chunk of inputs:
// about a megabyte of JSON Lines, a tenth of that compressed.
const ChunkActions = 2500

// Pack encodes inputs and their actions for storage, in chunks written as
// the actions are read: chunk 0 holds the header, each next one the gzip of
// up to ChunkActions actions' lines. It returns the SHA-256 of all the
// JSON Lines (which names the inputs whatever the chunks and compression)
// and how many actions it wrote.
func Pack(in Inputs, actions ActionSource, write func(seq int, chunk []byte) error) (sha string, n int, err error) {
	p := &packer{write: write, sum: sha256.New()}
	p.enc = json.NewEncoder(&p.line) // one value per line, newline-terminated
	p.enc.SetEscapeHTML(false)
	if err := p.put(header{Format: InputsFormat, Inputs: in}); err != nil {
		return "", 0, err
	}
	err = actions(func(a Action) error {
		if n%ChunkActions == 0 { // chunk 0 is the header alone
			if err := p.cut(); err != nil {
				return err
			}
		}
		n++
		return p.put(a)
	})
	if err == nil {
		err = p.cut()
	}
	if err != nil {
		return "", n, err
	}
	return hex.EncodeToString(p.sum.Sum(nil)), n, nil
}

// packer compresses lines into chunks.
type packer struct {
	write func(seq int, chunk []byte) error
	sum   hash.Hash
	enc   *json.Encoder
	line  bytes.Buffer
	buf   bytes.Buffer
	zw    *gzip.Writer
	seq   int
}

// put adds one value as a line to the chunk under way.
func (p *packer) put(v any) error {
	p.line.Reset()
	if err := p.enc.Encode(v); err != nil {
		return errs.Wrap(errs.Internal, err, "encode report inputs")
	}
	if p.zw == nil {
		p.buf.Reset()
		zw, err := gzip.NewWriterLevel(&p.buf, gzip.BestSpeed)
		if err != nil {
			return errs.Wrap(errs.Internal, err, "compress report inputs")
		}
		p.zw = zw
	}
	p.sum.Write(p.line.Bytes())
	_, err := p.zw.Write(p.line.Bytes())
	return err
}

// cut ends the chunk under way, if any, and hands it on.
func (p *packer) cut() error {
	if p.zw == nil {
		return nil
	}
	if err := p.zw.Close(); err != nil {
		return errs.Wrap(errs.Internal, err, "compress report inputs")
	}
	p.zw = nil
	if err := p.write(p.seq, p.buf.Bytes()); err != nil {
		return err
	}
	p.seq++
	return nil
}

// Chunks calls fn with each stored chunk of actions (chunk 1 on), in order.
type Chunks func(fn func(chunk []byte) error) error

// Stored are inputs as stored: the header is read at once, the actions a
// chunk at a time each time they are asked for.
type Stored struct {
	Inputs
	chunks Chunks
}

// Unpack reads the header, chunk 0, of packed inputs.
func Unpack(head []byte, chunks Chunks) (Stored, error) {
	st := Stored{chunks: chunks}
	n := 0
	err := lines(head, func(line []byte) error {
		if n++; n > 1 {
			return errs.E(errs.Internal, "report inputs: more than a header in chunk 0")
		}
		var h header
		if err := json.Unmarshal(line, &h); err != nil {
			return errs.Wrap(errs.Internal, err, "read report inputs")
		}
		if h.Format != InputsFormat {
			return errs.E(errs.Internal, "report inputs in an unknown format %q", h.Format)
		}
		st.Inputs = h.Inputs
		return nil
	})
	if err != nil {
		return Stored{}, err
	}
	if n == 0 {
		return Stored{}, errs.E(errs.Internal, "report inputs without a header")
	}
	return st, nil
}

// lines calls fn with each line of a chunk.
func lines(chunk []byte, fn func(line []byte) error) error {
	zr, err := gzip.NewReader(bytes.NewReader(chunk))
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
	return s.chunks(func(chunk []byte) error {
		return lines(chunk, func(line []byte) error {
			var a Action
			if err := json.Unmarshal(line, &a); err != nil {
				return errs.Wrap(errs.Internal, err, "read a report input")
			}
			return fn(a)
		})
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
