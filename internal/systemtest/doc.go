// Package systemtest holds the tests that cross every surface at once and
// so belong to no one package: the authorization matrix over every route,
// mass assignment over every form and body, concurrency, the exports'
// formula escaping, and the real processes (a kill mid-write, a database
// restart, a graceful shutdown, replicas electing one scheduler). The tests
// of one surface live beside it, in api, ui and server.
package systemtest
