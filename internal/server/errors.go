package server

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/errs"
)

// status maps an error kind to its HTTP status: the one place this is decided.
func status(k errs.Kind) int {
	switch k {
	case errs.Malformed:
		return http.StatusBadRequest
	case errs.Invalid:
		return http.StatusUnprocessableEntity
	case errs.NotFound:
		return http.StatusNotFound
	case errs.Conflict:
		return http.StatusConflict
	case errs.Unauthorized:
		return http.StatusUnauthorized
	case errs.Forbidden:
		return http.StatusForbidden
	case errs.TooMany:
		return http.StatusTooManyRequests
	case errs.Unsupported:
		return http.StatusUnsupportedMediaType
	case errs.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// fromEcho classifies echo's own errors (unknown route, wrong method, body
// too large, malformed input) into the errs vocabulary.
func fromEcho(he *echo.HTTPError) error {
	msg := http.StatusText(he.Code)
	if m, ok := he.Message.(string); ok && m != "" {
		msg = m
	}
	switch {
	case he.Code == http.StatusNotFound:
		return errs.E(errs.NotFound, "not found")
	case he.Code == http.StatusMethodNotAllowed:
		return &errs.Error{Kind: errs.Invalid, Message: "method not allowed"}
	case he.Code == http.StatusRequestEntityTooLarge:
		return &errs.Error{Kind: errs.Invalid, Message: "request body too large"}
	case he.Code == http.StatusUnauthorized:
		return errs.E(errs.Unauthorized, "%s", msg)
	case he.Code == http.StatusForbidden:
		return errs.E(errs.Forbidden, "%s", msg)
	case he.Code == http.StatusTooManyRequests:
		return errs.E(errs.TooMany, "%s", msg)
	case he.Code >= 400 && he.Code < 500:
		return errs.E(errs.Invalid, "%s", msg)
	}
	return errs.Wrap(errs.Internal, he, "internal error")
}

type errorBody struct {
	Error     errorDetail `json:"error"`
	RequestID string      `json:"request_id,omitempty"`
}

type errorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// errorJSON is the one JSON form of an error: the error, the request's id,
// and beside them any details the error carries for the client.
func errorJSON(requestID string, err error) any {
	body := errorBody{RequestID: requestID, Error: errorDetail{
		Code: string(errs.KindOf(err)), Message: errs.MessageOf(err), Fields: errs.FieldsOf(err)}}
	details := errs.DetailsOf(err)
	if len(details) == 0 {
		return body
	}
	out := map[string]any{"error": body.Error}
	if requestID != "" {
		out["request_id"] = requestID
	}
	for k, v := range details {
		if _, taken := out[k]; !taken {
			out[k] = v
		}
	}
	return out
}

// errorHandler answers every error: JSON under /api, the error page
// elsewhere. 5xx details go to the log, never to the client.
func (s *Server) errorHandler(pages ErrorPager) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		var he *echo.HTTPError
		if errors.As(err, &he) {
			if he.Code == http.StatusMethodNotAllowed || he.Code == http.StatusRequestEntityTooLarge {
				// keep the precise status echo chose
				s.answer(c, pages, he.Code, fromEcho(he))
				return
			}
			err = fromEcho(he)
		}
		code := status(errs.KindOf(err))
		if errs.KindOf(err) == errs.Internal {
			// The request line logs the error's message; an internal error
			// hides its cause there, so the cause is logged here.
			s.logger.Error("internal error", "request_id", requestID(c), "path", c.Request().URL.Path,
				"error", err, "cause", fmt.Sprint(errors.Unwrap(err)))
		}
		s.answer(c, pages, code, err)
	}
}

func (s *Server) answer(c echo.Context, pages ErrorPager, code int, err error) {
	if wait := errs.RetryAfterSeconds(err); wait > 0 {
		// errs' one rounding: the wait the message says.
		c.Response().Header().Set("Retry-After", strconv.Itoa(wait))
	}
	var werr error
	switch {
	case c.Request().Method == http.MethodHead:
		werr = c.NoContent(code)
	case strings.HasPrefix(c.Request().URL.Path, "/api/") || strings.HasPrefix(c.Request().URL.Path, "/readyz"):
		werr = c.JSON(code, errorJSON(requestID(c), err))
	default:
		werr = pages.RenderError(c, code, err)
	}
	if werr != nil {
		s.logger.Error("writing error response", "request_id", requestID(c), "error", werr)
	}
}
