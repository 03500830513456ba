package testutil

import (
	"io"
	"mime"
	"mime/quotedprintable"
	netmail "net/mail"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Mail is a message the file mail backend wrote, decoded.
type Mail struct {
	To      []string
	Subject string
	Text    string
}

// Mails reads the .eml files of dir, oldest first (they are named by the
// time they were written), to one address if to is not empty.
func Mails(t testing.TB, dir, to string) []Mail {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	sort.Strings(files)
	var out []Mail
	for _, name := range files {
		m := readMail(t, name)
		for _, addr := range m.To {
			if to == "" || strings.EqualFold(addr, to) {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

func readMail(t testing.TB, name string) Mail {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return decodeMail(t, name, f)
}

// SMTPMail decodes a message as a mail server received it (the DATA of an
// SMTP session), for tests that read the SMTP mock.
func SMTPMail(t testing.TB, data string) Mail {
	t.Helper()
	return decodeMail(t, "SMTP message", strings.NewReader(data))
}

func decodeMail(t testing.TB, name string, r io.Reader) Mail {
	t.Helper()
	msg, err := netmail.ReadMessage(r)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var m Mail
	if m.Subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatalf("%s: subject: %v", name, err)
	}
	to, err := msg.Header.AddressList("To")
	if err != nil {
		t.Fatalf("%s: To: %v", name, err)
	}
	for _, a := range to {
		m.To = append(m.To, a.Address)
	}
	body := io.Reader(msg.Body)
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(body)
	}
	text, err := io.ReadAll(body)
	if err != nil {
		t.Fatalf("%s: body: %v", name, err)
	}
	m.Text = string(text)
	return m
}
