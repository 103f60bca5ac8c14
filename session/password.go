package session

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
)

// PasswordLen is the length of a session password, as in ZooKeeper's
// ConnectResponse.
const PasswordLen = 16

// Password returns the password of session id: the first 16 bytes of
// HMAC-SHA256 keyed by secret over the id's 8 big-endian bytes.
//
// Any peer that knows the ensemble-wide secret can check the password of a
// client reattaching to a session created elsewhere, without the password
// being stored or replicated; ZooKeeper does the same, but from a constant
// built into every server (ZooKeeperServer.generatePasswd seeds
// java.util.Random with id ^ 0xB3415C00), so anyone can compute any
// session's password. With a secret kept private, ours cannot be forged.
func Password(id int64, secret []byte) []byte {
	return AppendPassword(make([]byte, 0, PasswordLen), id, secret)
}

// AppendPassword appends the password of session id to dst.
func AppendPassword(dst []byte, id int64, secret []byte) []byte {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(id))
	mac := hmac.New(sha256.New, secret)
	mac.Write(msg[:])
	var sum [sha256.Size]byte
	return append(dst, mac.Sum(sum[:0])[:PasswordLen]...)
}

// CheckPassword reports whether password is session id's password, in
// time that does not depend on where they differ. Session 0 (a client's "no
// session") has no password, as in ZooKeeper's checkPasswd.
func CheckPassword(id int64, password, secret []byte) bool {
	if id == 0 || len(password) != PasswordLen {
		return false
	}
	var buf [PasswordLen]byte
	return hmac.Equal(password, AppendPassword(buf[:0], id, secret))
}
