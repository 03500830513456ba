package mail_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	smtpmock "github.com/mocktools/go-smtp-mock/v2"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/mail"
)

// The SMTP backend speaks real SMTP to a mock server.
func TestSMTP(t *testing.T) {
	// MultipleMessageReceiving keeps a delivered message when the client
	// sends RSET after it, as go-mail does and as real servers treat it.
	server := smtpmock.New(smtpmock.ConfigurationAttr{HostAddress: "127.0.0.1", MultipleMessageReceiving: true})
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	defer server.Stop()
	s := mail.NewSMTP(mail.SMTPOptions{Host: "127.0.0.1", Port: server.PortNumber(), TLS: "none",
		From: "pctracker <no-reply@pctracker.example>", HELO: "pctracker.example", Timeout: 5 * time.Second})
	err := s.Send(context.Background(), mail.Message{To: "kadri@own.example", Subject: "Your invitation",
		Text: "Open https://pctracker.example/invite?token=abc to set your password."})
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := server.WaitForMessages(1, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	m := msgs[0]
	if !strings.Contains(m.MailfromRequest(), "no-reply@pctracker.example") || !strings.Contains(m.MsgRequest(), "Subject: Your invitation") ||
		!strings.Contains(m.MsgRequest(), "invite?token=3Dabc") {
		t.Errorf("received: from %q\n%s", m.MailfromRequest(), m.MsgRequest())
	}
	if rcpt := m.RcpttoRequestResponse(); len(rcpt) != 1 || !strings.Contains(rcpt[0][0], "kadri@own.example") {
		t.Errorf("recipient: %v", rcpt)
	}
	// A server that is gone is an unavailable dependency, not a crash.
	server.Stop()
	if err := s.Send(context.Background(), mail.Message{To: "a@b.example", Subject: "x", Text: "y"}); !errs.Is(err, errs.Unavailable) {
		t.Errorf("server down: %v", err)
	}
	// STARTTLS is required by default: a server without it is refused.
	plain := smtpmock.New(smtpmock.ConfigurationAttr{HostAddress: "127.0.0.1", MultipleMessageReceiving: true})
	plain.Start()
	defer plain.Stop()
	strict := mail.NewSMTP(mail.SMTPOptions{Host: "127.0.0.1", Port: plain.PortNumber(), TLS: "starttls", From: "p <p@p.example>", HELO: "pctracker.example", Timeout: 5 * time.Second})
	if err := strict.Send(context.Background(), mail.Message{To: "a@b.example", Subject: "x", Text: "y"}); err == nil {
		t.Error("a message was sent in clear although STARTTLS is required")
	}
}

// The file backend writes the message and logs only where it is.
func TestFiles(t *testing.T) {
	dir := t.TempDir()
	var log strings.Builder
	f := mail.NewFiles(dir, "pctracker <no-reply@localhost>", slog.New(slog.NewTextHandler(&log, nil)))
	if err := f.Send(context.Background(), mail.Message{To: "kadri@own.example", Subject: "Reset", Text: "token=secret-link"}); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	if len(files) != 1 {
		t.Fatalf("%d files", len(files))
	}
	b, _ := os.ReadFile(files[0])
	if !strings.Contains(string(b), "token=secret-link") || !strings.Contains(string(b), "To: <kadri@own.example>") {
		t.Errorf("file: %s", b)
	}
	if strings.Contains(log.String(), "secret-link") || !strings.Contains(log.String(), "kadri@own.example") {
		t.Errorf("log: %s", log.String())
	}
}

// A reader of the mail folder, polling while messages are written, only
// ever finds whole messages: each .eml appears complete or not at all.
func TestFilesAppearWhole(t *testing.T) {
	dir := t.TempDir()
	f := mail.NewFiles(dir, "pctracker <no-reply@localhost>", slog.New(slog.NewTextHandler(io.Discard, nil)))
	body := strings.Repeat("A long notice, line after line.\n", 4000) // about 130 KB: several writes
	const n = 60
	done := make(chan error, 1)
	go func() {
		for i := 0; i < n; i++ {
			if err := f.Send(context.Background(), mail.Message{To: "kadri@own.example", Subject: "Notice", Text: body}); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	reads, partial := 0, 0
	for finished := false; !finished; {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			finished = true
		default:
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
		for _, name := range files {
			b, err := os.ReadFile(name)
			if err != nil {
				continue
			}
			reads++
			if !strings.HasSuffix(strings.TrimRight(string(b), "\r\n"), "line after line.") {
				partial++
			}
		}
	}
	if partial > 0 {
		t.Errorf("%d of %d reads found a message not yet whole", partial, reads)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*")); len(files) != n {
		t.Errorf("%d files in the folder, want %d messages and nothing else", len(files), n)
	}
}
