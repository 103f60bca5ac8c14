package session

import (
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPasswordIsPinned(t *testing.T) {
	// Peers of different versions must agree on every password, so the
	// derivation may never change silently. The value is the first 16
	// bytes of `openssl dgst -sha256 -hmac "ensemble secret"` over the
	// id's 8 big-endian bytes.
	got := Password(0x0101234567890000, []byte("ensemble secret"))
	assert.Equal(t, "cc7c9bdad2a5081ca37bfcd888dcb2c1", hex.EncodeToString(got))
}

func TestPasswordDependsOnIDAndSecret(t *testing.T) {
	a := Password(42, []byte("s1"))
	require.Len(t, a, PasswordLen)
	assert.Equal(t, a, Password(42, []byte("s1")), "deterministic")
	assert.NotEqual(t, a, Password(43, []byte("s1")), "another id")
	assert.NotEqual(t, a, Password(42, []byte("s2")), "another secret")
	assert.Equal(t, append([]byte("x"), a...), AppendPassword([]byte("x"), 42, []byte("s1")))
}

func TestCheckPassword(t *testing.T) {
	secret := []byte("ensemble secret")
	const id = int64(0x0101234567890000)
	good := Password(id, secret)
	flipped := append([]byte(nil), good...)
	flipped[15] ^= 1
	tests := []struct {
		name     string
		id       int64
		password []byte
		secret   []byte
		want     bool
	}{
		{"its own password", id, good, secret, true},
		{"one bit off", id, flipped, secret, false},
		{"another session's password", id + 1, good, secret, false},
		{"made with another secret", id, good, []byte("other"), false},
		{"too short", id, good[:15], secret, false},
		{"too long", id, append(append([]byte(nil), good...), 0), secret, false},
		{"empty", id, nil, secret, false},
		{"sixteen zero bytes, what an expired session is answered", id, make([]byte, 16), secret, false},
		{"session 0 has no password", 0, Password(0, secret), secret, false},
		{"an empty secret still works, if weakly", id, Password(id, nil), nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, CheckPassword(tt.id, tt.password, tt.secret))
		})
	}
}
