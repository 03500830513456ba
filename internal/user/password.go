package user

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"

	"github.com/alexedwards/argon2id"

	"github.com/pctracker/pctracker/internal/errs"
)

// hashParams follow the OWASP password storage recommendation for argon2id
// (m=19 MiB, t=2, p=1).
func hashParams() *argon2id.Params {
	return &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}
}

// HashPassword returns an argon2id hash in the PHC string format.
func HashPassword(password string) (string, error) {
	h, err := argon2id.CreateHash(password, hashParams())
	if err != nil {
		return "", errs.Wrap(errs.Internal, err, "hash password")
	}
	return h, nil
}

// CheckPassword reports whether password matches hash.
func CheckPassword(password, hash string) bool {
	if hash == "" {
		return false
	}
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	return err == nil && ok
}

// tokenPrefix makes tokens recognisable to secret scanners and people.
const tokenPrefix = "pct_"

// NewTokenSecret returns a fresh random token and the hash to store.
func NewTokenSecret() (secret, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", errs.Wrap(errs.Internal, err, "random token")
	}
	secret = tokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, HashToken(secret), nil
}

// HashToken is the stored form of a token. A fast hash is right here: the
// token has 256 bits of entropy, so it cannot be guessed from its hash.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(strings.TrimSpace(secret)))
	return hex.EncodeToString(sum[:])
}
