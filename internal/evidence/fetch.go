// Package evidence keeps the evidence of accepted actions verifiable: it
// fetches each link safely, records what it found, and archives the copy
// captured at acceptance by its SHA-256.
package evidence

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pctracker/pctracker/internal/errs"
)

// FetchOptions bound what one fetch may cost and say where it may go.
type FetchOptions struct {
	UserAgent      string        // names pctracker and its address, so that a site knows who reads it
	MaxBytes       int64         // a body over this is refused; default 20 MB
	ConnectTimeout time.Duration // default 5 s
	Timeout        time.Duration // the whole fetch, redirects and body included; default 30 s
	MaxRedirects   int           // default 5
	Concurrency    int           // fetches at once in all; default 8
	PerHost        int           // fetches at once to one host; default 2
	// AllowHosts lists host:port pairs reached even though their address
	// is not public: a local test server. Empty in production.
	AllowHosts []string
	// Resolver finds a host's addresses; nil for the system's.
	Resolver Resolver
}

// Resolver is what the fetcher needs of DNS.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Fetch is what one GET of a link found.
type Fetch struct {
	URL         string
	FinalURL    string // after redirects
	Status      int    // 0 when no answer came
	ContentType string
	Body        []byte
	SHA256      string // of the whole body
	Size        int64  // of the whole body
	// TooLarge: the page answered with a body over MaxBytes. It was read
	// through for its hash, but not kept: it cannot be archived.
	TooLarge bool
	Err      error // a network failure or a refusal; Status may still be set
}

// Fetcher gets evidence links over HTTP(S) without letting a link reach
// pctracker's own network: it resolves every host itself, refuses any
// address that is not public before connecting, on every redirect, and
// checks again the address actually dialled, so that a name that resolves
// differently the second time (DNS rebinding) gains nothing.
type Fetcher struct {
	opt    FetchOptions
	client *http.Client
	all    chan struct{}
	mu     sync.Mutex
	hosts  map[string]chan struct{}
}

// ErrRefused marks a link whose address is not one pctracker fetches.
var ErrRefused = errors.New("not a public address")

// NewFetcher builds a fetcher, filling the defaults.
func NewFetcher(opt FetchOptions) *Fetcher {
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = 20 << 20
	}
	if opt.ConnectTimeout <= 0 {
		opt.ConnectTimeout = 5 * time.Second
	}
	if opt.Timeout <= 0 {
		opt.Timeout = 30 * time.Second
	}
	if opt.MaxRedirects <= 0 {
		opt.MaxRedirects = 5
	}
	if opt.Concurrency <= 0 {
		opt.Concurrency = 8
	}
	if opt.PerHost <= 0 {
		opt.PerHost = 2
	}
	if opt.Resolver == nil {
		opt.Resolver = net.DefaultResolver
	}
	f := &Fetcher{opt: opt, all: make(chan struct{}, opt.Concurrency), hosts: map[string]chan struct{}{}}
	dialer := &net.Dialer{Timeout: opt.ConnectTimeout, ControlContext: f.control}
	transport := &http.Transport{
		Proxy:                 nil, // never through a proxy from the environment: it would dial for us, unchecked
		DialContext:           f.dialer(dialer),
		TLSHandshakeTimeout:   opt.ConnectTimeout,
		ResponseHeaderTimeout: opt.Timeout,
		MaxIdleConnsPerHost:   opt.PerHost,
		IdleConnTimeout:       30 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	f.client = &http.Client{Transport: transport, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) > opt.MaxRedirects {
			return fmt.Errorf("more than %d redirects", opt.MaxRedirects)
		}
		if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
			return fmt.Errorf("a redirect to %q, which is not http or https", req.URL.Scheme)
		}
		return nil
	}}
	return f
}

// Get fetches a link: at most Timeout in all, at most MaxBytes of body.
// A refused address, a network failure or a body too large is in Err.
func (f *Fetcher) Get(ctx context.Context, link string) Fetch {
	out := Fetch{URL: link}
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		out.Err = errs.E(errs.Invalid, "%q is not an http or https address", link)
		return out
	}
	release, err := f.acquire(ctx, strings.ToLower(u.Hostname()))
	if err != nil {
		out.Err = err
		return out
	}
	defer release()
	ctx, cancel := context.WithTimeout(ctx, f.opt.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		out.Err = err
		return out
	}
	req.Header.Set("User-Agent", f.opt.UserAgent)
	req.Header.Set("Accept", "text/html, application/pdf, text/plain, image/*;q=0.9, */*;q=0.5")
	res, err := f.client.Do(req)
	if err != nil {
		out.Err = err
		return out
	}
	defer res.Body.Close()
	out.Status, out.FinalURL, out.ContentType = res.StatusCode, res.Request.URL.String(), res.Header.Get("Content-Type")
	// The whole body goes through the hash, within the time limit; only
	// the first MaxBytes are kept. A large document that answers is not a
	// dead link: it is only too large to archive.
	h := sha256.New()
	var kept bytes.Buffer
	n, err := io.Copy(io.MultiWriter(h, &limitedBuffer{&kept, f.opt.MaxBytes}), res.Body)
	if err != nil {
		out.Err = err
		return out
	}
	out.SHA256, out.Size = hex.EncodeToString(h.Sum(nil)), n
	if n > f.opt.MaxBytes {
		out.TooLarge = true
	} else {
		out.Body = kept.Bytes()
	}
	return out
}

// limitedBuffer keeps the first max bytes written to it and takes the rest
// without keeping it.
type limitedBuffer struct {
	buf *bytes.Buffer
	max int64
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - int64(l.buf.Len()); room > 0 {
		l.buf.Write(p[:min(int64(len(p)), room)])
	}
	return len(p), nil
}

// acquire waits for a place among all fetches and among those to host.
func (f *Fetcher) acquire(ctx context.Context, host string) (func(), error) {
	f.mu.Lock()
	h := f.hosts[host]
	if h == nil {
		h = make(chan struct{}, f.opt.PerHost)
		f.hosts[host] = h
	}
	f.mu.Unlock()
	select {
	case f.all <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case h <- struct{}{}:
	case <-ctx.Done():
		<-f.all
		return nil, ctx.Err()
	}
	return func() {
		<-h
		<-f.all
		// A host with nothing under way is forgotten, so that the map does
		// not grow with every host ever fetched.
		f.mu.Lock()
		if len(h) == 0 && f.hosts[host] == h {
			delete(f.hosts, host)
		}
		f.mu.Unlock()
	}, nil
}

// allowed reports whether host:port is one of the configured exceptions.
func (f *Fetcher) allowed(hostport string) bool {
	return slices.ContainsFunc(f.opt.AllowHosts, func(a string) bool { return strings.EqualFold(a, hostport) })
}

// dialer resolves the host itself and dials one of its public addresses,
// never the name: what is checked is what is dialled.
func (f *Fetcher) dialer(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		allowed := f.allowed(addr)
		var candidates []netip.Addr
		if ip, ok := parseIP(host); ok {
			candidates = []netip.Addr{ip}
		} else {
			if candidates, err = f.opt.Resolver.LookupNetIP(ctx, "ip", host); err != nil {
				return nil, err
			}
		}
		var lastErr error = fmt.Errorf("%s: %w", host, ErrRefused)
		for _, ip := range candidates {
			ip = ip.Unmap()
			if !allowed && !Public(ip) {
				lastErr = fmt.Errorf("%s (%s): %w", host, ip, ErrRefused)
				continue
			}
			// The exception travels with the dial, for control to honour.
			conn, err := d.DialContext(withAllowed(ctx, allowed), network, net.JoinHostPort(ip.String(), port))
			if err == nil {
				return conn, nil
			}
			lastErr = err
		}
		return nil, lastErr
	}
}

type allowedKey struct{}

func withAllowed(ctx context.Context, allowed bool) context.Context {
	return context.WithValue(ctx, allowedKey{}, allowed)
}

// control checks, just before connecting, the address the socket is about
// to reach: the last word, whatever resolved what before.
func (f *Fetcher) control(ctx context.Context, network, address string, _ syscall.RawConn) error {
	if allowed, _ := ctx.Value(allowedKey{}).(bool); allowed {
		return nil // a configured exception, decided on the name the link gave
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%s: %w", address, ErrRefused)
	}
	if !Public(ap.Addr().Unmap()) {
		return fmt.Errorf("%s: %w", address, ErrRefused)
	}
	return nil
}

// Public reports whether ip is an address on the public internet: not
// loopback, private, link-local, multicast, unspecified, shared (CGNAT),
// documentation, benchmarking or otherwise reserved, in IPv4 or IPv6.
func Public(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range reserved {
		if p.Contains(ip) {
			return false
		}
	}
	// IPv6 unicast on the internet is 2000::/3; the rest (::/8 forms of
	// IPv4 among them) is not for fetching.
	return ip.IsGlobalUnicast() && (ip.Is4() || globalV6.Contains(ip))
}

var globalV6 = netip.MustParsePrefix("2000::/3")

// reserved are the special-purpose ranges of the IANA registries that the
// standard library's predicates leave out.
var reserved = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24", "198.18.0.0/15", "198.51.100.0/24",
		"203.0.113.0/24", "240.0.0.0/4", "255.255.255.255/32",
		"64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32", "2002::/16", "3fff::/20", "5f00::/16",
		"fc00::/7", "fe80::/10", "fec0::/10", "::/128", "::1/128",
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// parseIP reads a host written as an address, in every form a browser or
// the C library would take: dotted IPv4 with decimal, octal (leading 0)
// or hexadecimal (0x) parts, in one to four parts ("2130706433",
// "0x7f.1", "0177.0.0.1"), and IPv6 (with IPv4 inside).
func parseIP(host string) (netip.Addr, bool) {
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if ip, err := netip.ParseAddr(host); err == nil {
		return ip.WithZone(""), true
	}
	parts := strings.Split(host, ".")
	if len(parts) == 0 || len(parts) > 4 {
		return netip.Addr{}, false
	}
	vals := make([]uint64, len(parts))
	for i, p := range parts {
		base, digits := 10, p
		switch {
		case strings.HasPrefix(strings.ToLower(p), "0x"):
			base, digits = 16, p[2:]
		case len(p) > 1 && p[0] == '0':
			base, digits = 8, p[1:]
		}
		if digits == "" && base != 10 {
			digits = "0" // "0x" alone is zero
		}
		v, err := strconv.ParseUint(digits, base, 32)
		if err != nil {
			return netip.Addr{}, false
		}
		vals[i] = v
	}
	// The last part fills the bytes the others leave, as inet_aton does.
	var n uint64
	for i, v := range vals[:len(vals)-1] {
		if v > 255 {
			return netip.Addr{}, false
		}
		n |= v << (8 * (3 - i))
	}
	last := vals[len(vals)-1]
	if last >= 1<<(8*(5-len(vals))) {
		return netip.Addr{}, false
	}
	n |= last
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}), true
}
