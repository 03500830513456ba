package purge

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Webhook sends each purge as a POST of {"keys": [...]} to URL, with
// Authorization: Bearer Token when a token is set. Any 2xx answer means
// taken. A relay turns it into the CDN's own purge call (see the README).
type Webhook struct {
	URL    string
	Token  string // a secret: never in a log or an error
	Client *http.Client
}

// NewWebhook returns the sender for url, with a bounded wait per request.
func NewWebhook(url, token string) *Webhook {
	return &Webhook{URL: url, Token: token, Client: &http.Client{Timeout: 15 * time.Second}}
}

// Send posts the keys.
func (w *Webhook) Send(ctx context.Context, keys []string) error {
	body, err := json.Marshal(struct {
		Keys []string `json:"keys"`
	}{keys})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("purge request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if w.Token != "" {
		req.Header.Set("Authorization", "Bearer "+w.Token)
	}
	res, err := w.Client.Do(req)
	if err != nil {
		return fmt.Errorf("purge request: %w", err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("purge request: the webhook answered %s", res.Status)
	}
	return nil
}
