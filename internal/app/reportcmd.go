package app

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/internal/report"
	"github.com/pctracker/pctracker/internal/user"
)

// runReport compiles and publishes the progress report of a cycle.
func runReport(e env, args []string) error {
	const synopsis = "report compile --cycle YEAR [--lang en|fr] [--format html|pdf|md|csv|json|xlsx|all] [-o FILE|DIR] [--cutoff TIME|DATE]\n" +
		"       pctracker report publish --cycle YEAR [--id REPORT]\n" +
		"       pctracker report verify --id REPORT"
	sub, rest, err := subcommand(args, "compile", "publish", "verify")
	if err != nil {
		return subErr(e, err, synopsis)
	}
	switch sub {
	case "publish":
		return reportPublish(e, rest, synopsis)
	case "verify":
		return reportVerify(e, rest, synopsis)
	}
	return reportCompile(e, rest, synopsis)
}

// reportCompile compiles a draft of a cycle's report and writes the
// document asked for, or every one into a folder.
func reportCompile(e env, args []string, synopsis string) error {
	f := newFlags(e, "report compile", synopsis)
	year := f.Int("cycle", 0, "the `year` of the cycle")
	lang := f.String("lang", "en", "`language` of the document: en or fr")
	format := f.String("format", "", "`format` to write: html, pdf, md, csv, json, xlsx, or all (every format and language into the folder -o); default: from the -o file's extension")
	out := f.String("o", "", "write the document to this `file` (or, with --format all, into this folder); default: standard output")
	cutoff := f.String("cutoff", "", "count actions accepted up to this `time` (RFC 3339, e.g. 2027-10-22T00:00:00Z, or a date, up to its end); "+
		"default: now, or the end of the Forum day once it is over")
	if err := f.parse(args); err != nil {
		return err
	}
	if err := required(f, "cycle"); err != nil {
		return err
	}
	if *format == "" && *out != "" {
		*format = strings.TrimPrefix(filepath.Ext(*out), ".")
	}
	opt, err := compileOptions(*lang, *format, *out, *cutoff)
	if err != nil {
		return err
	}
	return withServices(e, f, func(svc *services) error {
		by := user.System("cli")
		fmt.Fprintf(e.stderr, "compiling the %d report ...\n", *year)
		r, err := svc.reports.Compile(e.ctx, by, *year, opt)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "draft report %d of cycle %d compiled (cut-off %s, inputs sha256 %s)\n",
			r.ID, r.CycleYear, r.CutoffAt.Format(time.RFC3339), r.InputsSHA256)
		switch *format {
		case "":
			return nil
		case "all":
			return writeReportFolder(e, svc, by, r, *out)
		}
		return writeReportDocument(e, svc, by, r, report.Format(*format), *lang, *out)
	})
}

// compileOptions checks the flags of report compile, every problem at
// once, and gives the options of the compilation.
func compileOptions(lang, format, out, cutoff string) (report.CompileOptions, error) {
	bad := errs.FieldErrors{}
	if locale.Supported(lang) == "" {
		bad.Addf("lang", "%q is not en or fr", lang)
	}
	if format != "" && format != "all" && !report.Format(format).Valid() {
		bad.Addf("format", "%q is not html, pdf, md, csv, json, xlsx or all", format)
	}
	if format == "all" && out == "" {
		bad.Add("o", "is required with --format all: the folder to write into")
	}
	opt := report.CompileOptions{Source: report.CLI}
	if err := opt.SetCutoff(cutoff); err != nil {
		bad.Add("cutoff", errs.FieldsOf(err)["cutoff_at"])
	}
	return opt, bad.Err()
}

// writeReportFolder writes every document of report r, in every format and
// language, into the folder dir. Each is written to its file as it is
// rendered, so a large cycle's documents are never all in memory.
func writeReportFolder(e env, svc *services, by user.Actor, r report.Report, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return errs.Wrap(errs.Invalid, err, "create folder %s", dir)
	}
	formats := report.Formats
	if !svc.reports.CanPrint() {
		fmt.Fprintln(e.stderr, "skipped the PDF: set report.chromium (PCT_REPORT_CHROMIUM) to the path of chromium to make it")
		formats = slices.DeleteFunc(slices.Clone(formats), func(f report.Format) bool { return f == report.PDF })
	}
	path := func(f report.Format, lang string) string {
		return filepath.Join(dir, report.Filename(r.CycleYear, lang, f))
	}
	docs, err := svc.reports.Export(e.ctx, by, r.ID, formats, func(f report.Format, lang string) (io.WriteCloser, error) {
		fmt.Fprintf(e.stderr, "writing %s ...\n", path(f, lang))
		w, err := os.Create(path(f, lang))
		if err != nil {
			return nil, errs.Wrap(errs.Invalid, err, "write %s", path(f, lang))
		}
		return w, nil
	})
	for _, d := range docs {
		fmt.Fprintf(e.stderr, "wrote %s (%d bytes, sha256 %s)\n", path(d.Format, d.Lang), d.Size, d.SHA256)
	}
	return err
}

// writeReportDocument writes one document of report r to the file out, or
// to standard output when out is "".
func writeReportDocument(e env, svc *services, by user.Actor, r report.Report, f report.Format, lang, out string) error {
	_, doc, err := svc.reports.Document(e.ctx, by, r.ID, f, lang)
	if err != nil {
		return err
	}
	if out == "" {
		_, err := e.stdout.Write(doc.Body)
		return err
	}
	if err := os.WriteFile(out, doc.Body, 0o644); err != nil {
		return errs.Wrap(errs.Invalid, err, "write %s", out)
	}
	fmt.Fprintf(e.stderr, "wrote %s (%d bytes, sha256 %s)\n", out, doc.Size, doc.SHA256)
	return nil
}

// reportPublish publishes a draft: the one named, or the cycle's latest.
func reportPublish(e env, args []string, synopsis string) error {
	f := newFlags(e, "report publish", synopsis)
	year := f.Int("cycle", 0, "the `year` of the cycle")
	id := f.Int64("id", 0, "the draft `report` to publish (default: the cycle's latest draft)")
	if err := f.parse(args); err != nil {
		return err
	}
	if err := required(f, "cycle"); err != nil {
		return err
	}
	return withServices(e, f, func(svc *services) error {
		by := user.System("cli")
		if *id == 0 {
			list, err := svc.reports.List(e.ctx, by, *year)
			if err != nil {
				return err
			}
			for _, r := range list { // newest first
				if r.Status == report.Draft {
					*id = r.ID
					break
				}
			}
			if *id == 0 {
				return errs.E(errs.NotFound, "cycle %d has no draft report: compile one first with 'pctracker report compile --cycle %d'", *year, *year)
			}
		}
		r, err := svc.reports.Get(e.ctx, by, *id)
		if err != nil {
			return err
		}
		if r.CycleYear != *year {
			return errs.E(errs.Invalid, "report %d belongs to cycle %d, not %d", r.ID, r.CycleYear, *year)
		}
		fmt.Fprintf(e.stderr, "publishing report %d of cycle %d (rendering every format in English and French) ...\n", r.ID, r.CycleYear)
		r, err = svc.reports.Publish(e.ctx, by, r.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "published report %d of cycle %d at %s\n", r.ID, r.CycleYear, r.PublishedAt.Format(time.RFC3339))
		for _, a := range r.Artifacts {
			fmt.Fprintf(e.stdout, "  %-4s %s  %8d bytes  sha256 %s\n", a.Format, a.Lang, a.Size, a.SHA256)
		}
		return nil
	})
}

// reportVerify compiles a published report again from its frozen inputs
// and compares the CSV, JSON and Markdown with those published.
func reportVerify(e env, args []string, synopsis string) error {
	f := newFlags(e, "report verify", synopsis)
	id := f.Int64("id", 0, "the published `report` to check")
	if err := f.parse(args); err != nil {
		return err
	}
	if err := required(f, "id"); err != nil {
		return err
	}
	return withServices(e, f, func(svc *services) error {
		differ, err := svc.reports.Verify(e.ctx, *id)
		if err != nil {
			return err
		}
		if len(differ) > 0 {
			return errs.E(errs.Conflict, "report %d compiled again differs from what was published: %s", *id, strings.Join(differ, ", "))
		}
		fmt.Fprintf(e.stdout, "report %d compiled again from its frozen inputs: CSV, JSON and Markdown identical, byte for byte, in English and French\n", *id)
		return nil
	})
}
