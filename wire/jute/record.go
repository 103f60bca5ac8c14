package jute

// Record is one jute record: a struct whose fields are encoded in order.
type Record interface {
	// Encode appends the record to e.
	Encode(e *Encoder)
	// Decode reads the record from d; errors are left in d (see
	// Decoder.Err).
	Decode(d *Decoder)
}

// Marshal returns the encoding of r.
func Marshal(r Record) []byte {
	var e Encoder
	r.Encode(&e)
	return e.Bytes()
}

// Unmarshal decodes b into r and refuses bytes left over (ErrTrailing).
// ZooKeeper itself ignores trailing bytes; the server reads with a Decoder
// and does the same, so this strict form is for tools and tests.
func Unmarshal(b []byte, r Record) error {
	d := NewDecoder(b)
	r.Decode(d)
	if d.Err() != nil {
		return d.Err()
	}
	if d.Remaining() != 0 {
		return ErrTrailing
	}
	return nil
}
