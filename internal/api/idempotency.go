package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/idempotency"
	"github.com/pctracker/pctracker/internal/request"
)

// idempotent makes a POST safe to retry with an Idempotency-Key: the first
// successful answer is stored and replayed for the same key and body; the
// same key with another body is refused, and a key whose first request is
// still running answers 409. A failed request frees its key.
func (h *Handler) idempotent(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		key := c.Request().Header.Get("Idempotency-Key")
		if key == "" {
			return next(c)
		}
		by, err := request.Caller(c)
		if err != nil {
			return err
		}
		if len(key) > 200 {
			return errs.Field(errs.Invalid, "Idempotency-Key", "must be at most 200 characters")
		}
		body, err := io.ReadAll(c.Request().Body)
		if err != nil {
			return errs.Wrap(errs.Malformed, err, "the request body could not be read")
		}
		c.Request().Body = io.NopCloser(bytes.NewReader(body))
		sum := sha256.Sum256(append([]byte(c.Request().Method+" "+c.Request().URL.RequestURI()+"\n"), body...))
		ctx := c.Request().Context()
		now := h.Now()
		rec, claimed, err := h.Idempotency.ClaimIdempotencyKey(ctx, idempotency.Record{UserID: by.UserID, Key: key,
			RequestHash: hex.EncodeToString(sum[:]), CreatedAt: now}, now.Add(-idempotency.StaleAfter))
		if err != nil {
			return err
		}
		if !claimed {
			switch {
			case rec.RequestHash != hex.EncodeToString(sum[:]):
				return errs.Field(errs.Invalid, "Idempotency-Key", "was already used for a different request")
			case rec.Status == 0:
				return errs.Field(errs.Conflict, "Idempotency-Key", "a request with this key is still running; retry in a moment")
			}
			c.Response().Header().Set("Idempotent-Replayed", "true")
			return c.Blob(rec.Status, echo.MIMEApplicationJSONCharsetUTF8, rec.Body)
		}
		rec2 := &recorder{ResponseWriter: c.Response().Writer}
		c.Response().Writer = rec2
		release := context.WithoutCancel(ctx)
		defer func() {
			if p := recover(); p != nil {
				// Free the key before the panic goes on to the recover
				// middleware, so that a retry is not refused for ever.
				_ = h.Idempotency.ReleaseIdempotencyKey(release, by.UserID, key)
				panic(p)
			}
		}()
		err = next(c)
		if err != nil || c.Response().Status >= 300 {
			if rerr := h.Idempotency.ReleaseIdempotencyKey(release, by.UserID, key); rerr != nil && err == nil {
				return rerr
			}
			return err
		}
		return h.Idempotency.CompleteIdempotencyKey(release, by.UserID, key, c.Response().Status, rec2.body.Bytes())
	}
}

// recorder keeps a copy of what a handler writes.
type recorder struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (r *recorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}
