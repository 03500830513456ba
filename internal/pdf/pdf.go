// Package pdf prints HTML documents to PDF with headless Chromium, driven
// through the DevTools protocol by chromedp: tagged (accessible) PDF, A4,
// with page numbers in the footer; Describe then adds what the file says
// about itself (XMP title, language and licence; a RoleMap).
package pdf

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pctracker/pctracker/internal/errs"
)

// Printer starts Chromium for each document: printing is rare (a report
// compilation), and a browser kept running would hold memory all year.
type Printer struct {
	path    string
	timeout time.Duration
	mu      sync.Mutex // one browser at a time: each takes a few hundred MB
}

// Find returns a printer for the Chromium at path, or, with an empty path,
// the first of chromium, chromium-browser and google-chrome on PATH; nil
// when there is none, when path is not a program, or when path is "off".
func Find(path string) *Printer {
	candidates := []string{path}
	switch path {
	case "off":
		return nil
	case "":
		candidates = []string{"chromium", "chromium-browser", "google-chrome"}
	}
	for _, name := range candidates {
		if p, err := exec.LookPath(name); err == nil {
			return &Printer{path: p, timeout: 2 * time.Minute}
		}
	}
	return nil
}

// footer writes "page / pages" at the foot of every page.
const footer = `<div style="width:100%;font:9px sans-serif;color:#4b5563;text-align:center;">` +
	`<span class="pageNumber"></span> / <span class="totalPages"></span></div>`

// PDF prints page, a complete HTML document, to PDF.
func (p *Printer) PDF(ctx context.Context, page []byte) ([]byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()

	// The document is served once from a loopback address: a data: URL
	// would cap its size, and a file would have to be cleaned up.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, errs.Wrap(errs.Unavailable, err, "print PDF: listen")
	}
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(page)
	})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(p.path),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
	)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium refuses its sandbox as root (containers)
	}
	dir, err := os.MkdirTemp("", "pctracker-pdf-")
	if err != nil {
		return nil, errs.Wrap(errs.Unavailable, err, "print PDF: profile folder")
	}
	defer os.RemoveAll(dir)
	opts = append(opts, chromedp.UserDataDir(dir))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()

	if err := chromedp.Do(bctx, chromedp.Navigate("http://"+ln.Addr().String()+"/")); err != nil {
		return nil, errs.Wrap(errs.Unavailable, err, "print PDF: Chromium at %s", p.path)
	}
	out, err := chromedp.Run(bctx, chromedp.PrintToPDF(
		chromedp.PDFPaper(chromedp.PaperA4),
		chromedp.PDFPrintBackground(),
		chromedp.PDFHeaderTemplate(`<span></span>`),
		chromedp.PDFFooterTemplate(footer),
		chromedp.PDFPreferCSSPageSize(), // the document's @page sets A4 and its margins
		chromedp.PDFOutlineAndTagged(),
		chromedp.PDFStream(), // a report of every action runs to megabytes
	))
	if err != nil {
		return nil, errs.Wrap(errs.Unavailable, err, "print PDF")
	}
	return out, nil
}
