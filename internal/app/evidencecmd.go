package app

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/pctracker/pctracker/internal/evidence"
)

// runEvidence checks evidence links now, whatever their schedule: those of
// one action, or of every public action.
func runEvidence(e env, args []string) error {
	const synopsis = "evidence check (--action ID | --all)"
	_, rest, err := subcommand(args, "check")
	if err != nil {
		return subErr(e, err, synopsis)
	}
	f := newFlags(e, "evidence check", synopsis)
	id := f.Int64("action", 0, "check the evidence links of the action with this `id`")
	all := f.Bool("all", false, "check the evidence links of every accepted public action")
	if err := f.parse(rest); err != nil {
		return err
	}
	if (*id == 0) == !*all {
		fmt.Fprintln(e.stderr, "give --action ID or --all, one of them")
		f.Usage()
		return errUsage
	}
	if !f.cfg.Evidence.Enabled {
		fmt.Fprintln(e.stderr, "evidence checks are off (evidence.enabled); nothing to do")
		return errUsage
	}
	return withServices(e, f, func(svc *services) error {
		bar := newProgress(e.stdout)
		counts := map[evidence.State]int{}
		n, err := svc.evidence.CheckAll(e.ctx, *id, func(l evidence.Link, done, total int) {
			counts[l.State]++
			bar.show(done, total, l.URL+" "+string(l.State))
		})
		bar.done()
		var parts []string
		for _, st := range evidence.States {
			if counts[st] > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", counts[st], st))
			}
		}
		summary := "nothing was due: each link was checked within the last minute, or there is none"
		if n > 0 {
			summary = strings.Join(parts, ", ")
		}
		fmt.Fprintf(e.stdout, "%d evidence link(s) checked: %s\n", n, summary)
		return err
	})
}

// progress draws a bar on a terminal, and a line per step elsewhere (a
// log, a pipe), so that long work shows it goes on either way.
type progress struct {
	w   io.Writer
	tty bool
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

func (p *progress) show(done, total int, what string) {
	if !p.tty {
		fmt.Fprintf(p.w, "%d/%d %s\n", done, total, what)
		return
	}
	const width = 30
	filled := width
	if total > 0 {
		filled = done * width / total
	}
	fmt.Fprintf(p.w, "\r[%s%s] %d/%d", strings.Repeat("#", filled), strings.Repeat("-", width-filled), done, total)
}

func (p *progress) done() {
	if p.tty {
		fmt.Fprintln(p.w)
	}
}
