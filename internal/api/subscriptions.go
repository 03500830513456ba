package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/subscription"
)

// Subscriptions signs people up for mail digests.
type Subscriptions interface {
	Subscribe(ctx context.Context, in subscription.Input, client string) error
}

// subscriptionRoutes are the mail subscriptions people follow without an account.
func (h *Handler) subscriptionRoutes(e *echo.Echo, g *echo.Group) {
	g.POST("/subscriptions", h.subscribe)
}

// oneOrMany is a filter's value: one number or text, or a list of them.
type oneOrMany []string

func (v *oneOrMany) UnmarshalJSON(b []byte) error {
	var list []json.RawMessage
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte("[")) {
		if err := json.Unmarshal(b, &list); err != nil {
			return err
		}
	} else {
		list = []json.RawMessage{b}
	}
	for _, raw := range list {
		var s string
		if err := json.Unmarshal(raw, &s); err == nil {
			*v = append(*v, s)
			continue
		}
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			return errs.Field(errs.Invalid, "filters", "each filter is a number or a text, or a list of them")
		}
		*v = append(*v, n.String())
	}
	return nil
}

type subscriptionFilters struct {
	Recommendation oneOrMany `json:"recommendation,omitempty"`
	Country        oneOrMany `json:"country,omitempty"`
	Organisation   oneOrMany `json:"organisation,omitempty"`
	Kind           oneOrMany `json:"kind,omitempty"`
}

type subscriptionDTO struct {
	Email     string              `json:"email"`
	Filters   subscriptionFilters `json:"filters"`
	Frequency string              `json:"frequency"`
	Lang      string              `json:"lang"`
}

// subscribe signs an address up for a digest: 202 for any valid input,
// whether the address is known or not, over a limit or not (the mail
// tells the rest); 422 with each field's error otherwise.
func (h *Handler) subscribe(c echo.Context) error {
	var body subscriptionDTO
	if err := bind(c, &body); err != nil {
		return err
	}
	q := url.Values{"recommendation": body.Filters.Recommendation, "country": body.Filters.Country,
		"organisation": body.Filters.Organisation, "kind": body.Filters.Kind}
	in, err := subscription.Read(body.Email, q, body.Frequency, body.Lang)
	if err != nil {
		return err
	}
	if err := h.Subscriptions.Subscribe(c.Request().Context(), in, c.RealIP()); err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]string{"status": "check your mail: a link confirms the subscription, valid " +
		strconv.Itoa(int(subscription.ConfirmFor.Hours()/24)) + " days"})
}
