package report

import (
	"bufio"
	"encoding/json"
	"io"

	"github.com/pctracker/pctracker/internal/errs"
)

// EncodeInputs writes inputs and their actions as JSON Lines in one piece,
// as Pack would before cutting them into chunks: the tests compare the two.
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
