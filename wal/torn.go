package wal

import "encoding/binary"

// maxEpochJump bounds how far a record's epoch may be above the last good
// one for recovery to take it as evidence when looking past a damaged
// record; it only filters noise, it is not a protocol limit.
const maxEpochJump = 1 << 16

// laterBatches looks past a damaged record at from for proof that a later
// write batch followed it: a valid record carrying the batch-start flag.
// Batches are written one after another, each synced before the next, so a
// crash can damage only the last one; such proof means the damage is to
// synced data. It returns the offset of the proving record (or -1) and the
// end of the last non-zero byte after from.
func laterBatches(w *window, from, size, lastGood int64) (evidence, end int64, err error) {
	end = from
	o := from
	for o < size {
		p, err := w.firstNonZero(o, size)
		if err != nil {
			return -1, 0, err
		}
		if p < 0 {
			break
		}
		end = max(end, p+1)
		found := false
		for c := max(o, p-recordHeaderSize+1, from+1); c <= p; c++ {
			rec, ok := plausibleRecord(w, c, size, lastGood)
			if !ok {
				continue
			}
			if rec.batchStart {
				return c, 0, nil
			}
			o = c + int64(rec.size)
			end = max(end, o)
			found = true
			break
		}
		if !found {
			o = p + 1
		}
	}
	return -1, end, nil
}

// plausibleRecord decodes a record at o if it looks like one that could
// come after lastGood.
func plausibleRecord(w *window, o, size, lastGood int64) (record, bool) {
	if size-o < recordHeaderSize {
		return record{}, false
	}
	h, err := w.at(o, recordHeaderSize)
	if err != nil {
		return record{}, false
	}
	n, err := recordLen(h)
	if err != nil || int64(n) > size-o {
		return record{}, false
	}
	z := int64(binary.LittleEndian.Uint64(h[8:]))
	if z <= lastGood || epochOf(z) > epochOf(lastGood)+maxEpochJump {
		return record{}, false
	}
	b, err := w.at(o, n)
	if err != nil {
		return record{}, false
	}
	rec, err := decodeRecord(b)
	return rec, err == nil
}
