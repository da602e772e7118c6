package value

import (
	"encoding/binary"
	"math"
)

// AppendKey appends a binary encoding of v to buf such that two values
// give equal encodings exactly when they are Identical, for values of one
// column's type. It is used to build hash keys for groups and joins without
// boxing values. Integers and decimals of equal numeric value encode alike.
func AppendKey(buf []byte, v Value) []byte {
	switch v.K {
	case KNull:
		return append(buf, 0)
	case KString, KBinary:
		buf = append(buf, 1)
		buf = binary.AppendUvarint(buf, uint64(len(v.S)))
		return append(buf, v.S...)
	case KFloat:
		f := v.F
		if f == 0 {
			f = 0 // fold -0 into +0
		}
		if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return appendIntKey(buf, int64(f))
		}
		buf = append(buf, 3)
		return binary.BigEndian.AppendUint64(buf, math.Float64bits(f))
	case KDecimal:
		i, s := v.I, v.Scale
		for s > 0 && i%10 == 0 {
			i /= 10
			s--
		}
		if s == 0 {
			return appendIntKey(buf, i)
		}
		buf = append(buf, 4, s)
		return binary.AppendVarint(buf, i)
	case KRow:
		buf = append(buf, 5)
		if v.R != nil {
			for _, f := range v.R.Fields {
				buf = AppendKey(buf, f)
			}
		}
		return buf
	}
	if v.K == KInt {
		return appendIntKey(buf, v.I)
	}
	buf = append(buf, 6, byte(v.K))
	return binary.AppendVarint(buf, v.I)
}

func appendIntKey(buf []byte, i int64) []byte {
	buf = append(buf, 2)
	return binary.AppendVarint(buf, i)
}
