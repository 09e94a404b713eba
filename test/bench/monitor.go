package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
)

// setMonitor follows the Address_Set table of an NB over a plain OVSDB JSON-RPC connection with
// monitor_cond, whose update2 notifications carry only the elements a transaction added to or removed
// from a set. So the bench sees each commit's member moves, timestamped when the notification arrives,
// at a cost in proportion to what moved rather than to the size of the sets (a libovsdb cache would
// copy every changed set whole).
type setMonitor struct {
	conn net.Conn
	dec  *json.Decoder

	mu    sync.Mutex
	names map[string]string // row UUID -> set name; of a shard row, the set it is a shard of
	// toggled is called, from the reading goroutine, with the arrival time of a notification, the set
	// name and the addresses that changed in it (added or removed: update2 does not say which).
	toggled func(at time.Time, set string, addrs []string)
	// reshaped is called once per notification and set for the sets whose rows changed shape: a row
	// deleted, or one whose external IDs changed (its shard count). Re-sharding writes the new rows
	// first, which no ACL names yet, then in one transaction the ACLs that name them, the changed rows
	// and the deletion of the old: that transaction is the one this reports.
	reshaped func(at time.Time, set string)

	done chan struct{}
	err  error
}

// dialSetMonitor connects to the NB unix socket (the path, or "unix:<path>") and reads the initial
// contents. initial, when not nil, gets every set's name and addresses.
func dialSetMonitor(ctx context.Context, socket string,
	initial func(name string, addrs []string)) (*setMonitor, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", strings.TrimPrefix(socket, "unix:"))
	if err != nil {
		return nil, err
	}
	m := &setMonitor{conn: conn, dec: json.NewDecoder(conn), names: map[string]string{}, done: make(chan struct{})}
	req := map[string]any{"id": "monitor", "method": "monitor_cond", "params": []any{"OVN_Northbound", "sets",
		map[string]any{"Address_Set": []any{map[string]any{"columns": []string{"name", "addresses", "external_ids"}}}}}}
	if err := json.NewEncoder(conn).Encode(req); err != nil {
		_ = conn.Close() // giving up on it; the error above is the one returned
		return nil, err
	}
	for {
		msg, err := m.read()
		if err != nil {
			_ = conn.Close() // giving up on it; the error above is the one returned
			return nil, fmt.Errorf("monitor_cond: %w", err)
		}
		if msg.Method == "echo" {
			m.echo(msg)
			continue
		}
		if string(msg.ID) != `"monitor"` {
			continue
		}
		if len(msg.Error) > 0 && string(msg.Error) != "null" {
			_ = conn.Close() // giving up on it; the error above is the one returned
			return nil, fmt.Errorf("monitor_cond: %s", msg.Error)
		}
		if err := m.apply(time.Now(), msg.Result, initial); err != nil {
			_ = conn.Close() // giving up on it; the error above is the one returned
			return nil, err
		}
		break
	}
	go m.loop()
	return m, nil
}

type rpcMessage struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
	Result json.RawMessage `json:"result"`
	Error  json.RawMessage `json:"error"`
}

func (m *setMonitor) read() (*rpcMessage, error) {
	var msg rpcMessage
	if err := m.dec.Decode(&msg); err != nil {
		return nil, err
	}
	return &msg, nil
}

func (m *setMonitor) echo(msg *rpcMessage) {
	reply, _ := json.Marshal(map[string]any{"id": msg.ID, "result": msg.Params, "error": nil})
	_, _ = m.conn.Write(reply)
}

// setToggled installs the callback; nil drops notifications.
func (m *setMonitor) setToggled(f func(at time.Time, set string, addrs []string)) {
	m.mu.Lock()
	m.toggled = f
	m.mu.Unlock()
}

// setReshaped installs the callback for sets written anew; nil drops them.
func (m *setMonitor) setReshaped(f func(at time.Time, set string)) {
	m.mu.Lock()
	m.reshaped = f
	m.mu.Unlock()
}

func (m *setMonitor) loop() {
	defer close(m.done)
	for {
		msg, err := m.read()
		if err != nil {
			m.err = err
			return
		}
		at := time.Now()
		switch msg.Method {
		case "echo":
			m.echo(msg)
		case "update2":
			var params []json.RawMessage
			if err := json.Unmarshal(msg.Params, &params); err != nil || len(params) != 2 {
				m.err = fmt.Errorf("update2 with unexpected params: %.200s", msg.Params)
				return
			}
			if err := m.apply(at, params[1], nil); err != nil {
				m.err = err
				return
			}
		}
	}
}

// apply reads one table-updates2 object.
func (m *setMonitor) apply(at time.Time, raw json.RawMessage, initial func(string, []string)) error {
	var updates map[string]map[string]map[string]struct {
		Name        *string         `json:"name"`
		Addresses   json.RawMessage `json:"addresses"`
		ExternalIDs json.RawMessage `json:"external_ids"`
	}
	if err := json.Unmarshal(raw, &updates); err != nil {
		return fmt.Errorf("table updates: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	reshaped := map[string]bool{}
	defer func() {
		for set := range reshaped {
			if m.reshaped != nil {
				m.reshaped(at, set)
			}
		}
	}()
	for uuid, ops := range updates["Address_Set"] {
		for op, row := range ops {
			switch op {
			case "initial", "insert":
				if row.Name != nil {
					m.names[uuid] = *row.Name
				}
				if set, err := shardOf(row.ExternalIDs); err != nil {
					return err
				} else if set != "" {
					m.names[uuid] = set
				}
				if initial != nil {
					addrs, err := setAtoms(row.Addresses)
					if err != nil {
						return err
					}
					initial(m.names[uuid], addrs)
				}
			case "delete":
				reshaped[m.names[uuid]] = true
				delete(m.names, uuid)
			case "modify":
				if len(row.ExternalIDs) > 0 {
					reshaped[m.names[uuid]] = true
					continue // its members moved between shards, which no event asked for
				}
				if row.Addresses == nil || m.toggled == nil {
					continue
				}
				addrs, err := setAtoms(row.Addresses)
				if err != nil {
					return err
				}
				m.toggled(at, m.names[uuid], addrs)
			}
		}
	}
	return nil
}

// shardOf reads the set a shard row belongs to from its external_ids, an OVSDB map of strings
// (["map", [[key, value], ...]]); "" for a row that is a whole set.
func shardOf(raw json.RawMessage) (string, error) {
	if len(raw) == 0 {
		return "", nil
	}
	var m []json.RawMessage
	var pairs [][2]string
	if err := json.Unmarshal(raw, &m); err != nil || len(m) != 2 || json.Unmarshal(m[1], &pairs) != nil {
		return "", fmt.Errorf("not an OVSDB map of strings: %.100s", raw)
	}
	for _, p := range pairs {
		if p[0] == nbrows.KeyShardOf {
			return p[1], nil
		}
	}
	return "", nil
}

// setAtoms decodes an OVSDB set of strings: one atom, or ["set", [atoms]].
func setAtoms(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		return []string{one}, nil
	}
	var set []json.RawMessage
	if err := json.Unmarshal(raw, &set); err != nil || len(set) != 2 {
		return nil, fmt.Errorf("not an OVSDB set of strings: %.100s", raw)
	}
	var tag string
	var atoms []string
	if err := json.Unmarshal(set[0], &tag); err != nil || tag != "set" {
		return nil, fmt.Errorf("not an OVSDB set of strings: %.100s", raw)
	}
	if err := json.Unmarshal(set[1], &atoms); err != nil {
		return nil, fmt.Errorf("not an OVSDB set of strings: %.100s", raw)
	}
	return atoms, nil
}

// Close ends the connection and returns the error that stopped reading, if any came before.
func (m *setMonitor) Close() error {
	_ = m.conn.Close() // it ends the read loop; the loop's error is the one that counts
	<-m.done
	if m.err != nil && !strings.Contains(m.err.Error(), "use of closed network connection") {
		return m.err
	}
	return nil
}
