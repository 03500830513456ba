// Package server assembles the HTTP server: middleware, the API, the pages,
// static assets and health checks, and the one error handler that turns the
// errs vocabulary into HTTP answers.
package server

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/pctracker/pctracker/internal/cache"
	"github.com/pctracker/pctracker/internal/config"
	"github.com/pctracker/pctracker/internal/errs"
)

// Mounter adds a surface's routes.
type Mounter interface{ Routes(e *echo.Echo) }

// ErrorPager renders the HTML error page.
type ErrorPager interface {
	RenderError(c echo.Context, status int, err error) error
}

// Deps are what the server is made of.
type Deps struct {
	Config config.HTTP
	// Now is the clock of the public data's freshness; time.Now when nil.
	Now    func() time.Time
	TLS    bool // served over TLS (directly or by a proxy): HSTS and Secure cookies
	Logger *slog.Logger
	// Ready reports whether the server can do its work (database reachable,
	// migrations current).
	Ready  func(ctx context.Context) error
	API    Mounter
	UI     Mounter
	Pages  ErrorPager
	Static fs.FS
	// StaticNames gives each static file's fingerprinted name (with its
	// content hash, as pages link to it), and StaticHashes its hash.
	StaticNames, StaticHashes map[string]string
	// Sessions and Users identify the caller of each request; Cookie names
	// the session cookie.
	Sessions Sessions
	Users    Users
	Cookie   string
	// TrustedProxies are the networks whose X-Forwarded-For is believed.
	TrustedProxies []*net.IPNet
	// Metrics counts requests and serves /metrics, to the clients in
	// MetricsAllow only.
	Metrics      Metrics
	MetricsAllow []*net.IPNet
	// Written is told of every request that may have changed data (one
	// that is not GET, HEAD or OPTIONS and did not fail), so that public
	// caches look again at once.
	Written func()
	// Replicas, when the database has read replicas, take public reads
	// and keep them answering while the primary is down.
	Replicas Replicas

	// CDN says what the caches in front may keep of public answers.
	CDN config.CDN
}

// Metrics counts every request by route and serves the Prometheus metrics.
type Metrics interface {
	HTTPRequest(method, route string, status int, took time.Duration)
	Handler() http.Handler
}

// Server is the HTTP server of pctracker.
type Server struct {
	echo    *echo.Echo
	http    *http.Server
	logger  *slog.Logger
	cfg     config.HTTP
	metrics Metrics
	front   *cache.Front
}

// New builds the server and mounts every surface.
func New(d Deps) (*Server, error) {
	limit, err := config.ParseSize(d.Config.BodyLimit)
	if err != nil {
		return nil, err
	}
	now := d.Now
	if now == nil {
		now = time.Now
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = ipExtractor(d.TrustedProxies)
	s := &Server{echo: e, logger: d.Logger, cfg: d.Config, metrics: d.Metrics,
		front: cache.NewFront(d.Config.PublicFreshness, frontLimit, now)}
	e.HTTPErrorHandler = s.errorHandler(d.Pages)

	s.use(d, limit)
	static, err := staticHandler(d.Static, d.StaticNames, d.StaticHashes)
	if err != nil {
		return nil, err
	}
	s.mount(d, static)

	s.http = &http.Server{
		Handler:           s.frontDoor(e),
		ReadTimeout:       d.Config.ReadTimeout,
		ReadHeaderTimeout: 10 * time.Second,
		WriteTimeout:      d.Config.WriteTimeout,
		IdleTimeout:       d.Config.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(d.Logger.Handler(), slog.LevelWarn),
	}
	return s, nil
}

// compressMin is the size under which an answer is sent as it is:
// compressing a few hundred bytes saves less than it costs.
const compressMin = 1024

// use sets the middleware every request goes through, in order.
func (s *Server) use(d Deps, bodyLimitBytes int64) {
	e := s.echo
	e.Pre(beforeRouting)
	e.Use(headOnTheWire)
	e.Use(middleware.RequestIDWithConfig(middleware.RequestIDConfig{Generator: newRequestID}))
	e.Use(s.requestLogger())
	if s.front.On() {
		e.Use(front(s.front))
	}
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			d.Logger.Error("panic", "request_id", requestID(c), "error", err, "stack", string(stack))
			return errs.Wrap(errs.Internal, err, "panic")
		},
	}))
	e.Use(securityHeaders(d.TLS))
	e.Use(bodyLimit(bodyLimitBytes))
	if d.Replicas != nil {
		e.Use(readRouting(d.Replicas, d.Cookie))
	}
	e.Use(identify(d.Sessions, d.Users, d.Cookie))
	e.Use(csrf())
	e.Use(compress(compressMin))
	e.Use(cachePolicy(d.CDN))
	// A write makes the front cache forget, then the public caches look
	// again.
	e.Use(written(func() {
		s.front.Clear()
		if d.Written != nil {
			d.Written()
		}
	}))
}

// mount lists the server's own routes (health, static assets, metrics)
// and mounts the API and the pages.
func (s *Server) mount(d Deps, static http.Handler) {
	e := s.echo
	e.GET("/healthz", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	})
	e.GET("/readyz", func(c echo.Context) error {
		if d.Replicas != nil {
			return replicaReadiness(c, d.Replicas, d.Ready)
		}
		ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
		defer cancel()
		if err := d.Ready(ctx); err != nil {
			d.Logger.Warn("not ready", "error", err)
			return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": errs.MessageOf(err)})
		}
		return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
	})
	e.GET("/static/*", echo.WrapHandler(static))
	// Aggregate counters only (job runs, requests by route): nothing about
	// any organisation, so a scraper needs no account. They still tell the
	// traffic of every route, so only the allowed addresses see them.
	e.GET("/metrics", echo.WrapHandler(d.Metrics.Handler()), onlyFrom(d.MetricsAllow))
	d.API.Routes(e)
	d.UI.Routes(e)
}

// ipExtractor believes X-Forwarded-For only from the trusted proxies; with
// none, the client address is the connection's peer. echo would otherwise
// trust every private and loopback address by default.
func ipExtractor(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// onlyFrom answers 404, as if the route did not exist, to clients outside
// the networks. The client is c.RealIP(): the connection's peer, or the
// address a trusted proxy forwards for, so that a public request relayed
// by a proxy on this host does not pass for a local one.
func onlyFrom(networks []*net.IPNet) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			ip := net.ParseIP(c.RealIP())
			for _, n := range networks {
				if ip != nil && n.Contains(ip) {
					return next(c)
				}
			}
			return errs.E(errs.NotFound, "not found")
		}
	}
}

// Routes lists every registered method and path, so that the authorization
// test covers each route, including ones added later.
func (s *Server) Routes() []*echo.Route { return s.echo.Routes() }

// Handler exposes the router, behind the front cache, for tests.
func (s *Server) Handler() http.Handler { return s.http.Handler }

// Serve answers on ln until ctx is cancelled, then stops accepting, lets
// requests in flight finish within the shutdown timeout, and returns.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- s.http.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	err := s.http.Shutdown(shutdownCtx)
	if serveErr := <-errc; serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	return err
}
