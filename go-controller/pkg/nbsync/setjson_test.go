package nbsync

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/ovn-kubernetes/libovsdb/ovsdb"
)

// setJSON's encoding is an OVSDB set of the same strings as libovsdb's own, for every size.
func TestSetJSON(t *testing.T) {
	for _, values := range [][]string{nil, {}, {"10.0.0.1"}, {"10.0.0.1", "fd00::1", `a"b`}} {
		raw, err := setJSON(values)
		if err != nil {
			t.Fatal(err)
		}
		var got ovsdb.OvsSet
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatalf("%v: %s does not decode as an OVSDB set: %v", values, raw, err)
		}
		want := stringValues(values)
		if !slices.Equal(got.GoSet, want) {
			t.Errorf("%v: %s decodes as %v", values, raw, got.GoSet)
		}
		op, err := json.Marshal(ovsdb.Operation{Op: ovsdb.OperationSelect, Table: "Address_Set",
			Where: []ovsdb.Condition{ovsdb.NewCondition("addresses", ovsdb.ConditionEqual, raw)}})
		if err != nil {
			t.Fatal(err)
		}
		var back ovsdb.Operation
		if err := json.Unmarshal(op, &back); err != nil || len(back.Where) != 1 {
			t.Fatalf("%s: %v", op, err)
		}
	}
}

func BenchmarkCompareSelect(b *testing.B) {
	values := make([]string, 10000)
	for i := range values {
		values[i] = fmt.Sprintf("10.%d.%d.%d", i>>16, (i>>8)&255, i&255)
	}
	for _, tc := range []struct {
		name  string
		value func() any
	}{
		{"OvsSet", func() any { return ovsdb.OvsSet{GoSet: stringValues(values)} }},
		{"setJSON", func() any { v, _ := setJSON(values); return v }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				op := ovsdb.Operation{Op: ovsdb.OperationSelect, Table: "Address_Set",
					Where: []ovsdb.Condition{ovsdb.NewCondition("addresses", ovsdb.ConditionEqual, tc.value())}}
				if _, err := json.Marshal(op); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
