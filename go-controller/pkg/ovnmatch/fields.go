package ovnmatch

// FieldType says what values a field takes.
type FieldType int

// The field types the evaluator knows.
const (
	TypeString FieldType = iota // logical port names: "name" or @port_group
	TypeIPv4                    // IPv4 address or prefix, or $address_set
	TypeIPv6                    // IPv6 likewise
	TypePort                    // a 16-bit transport port
)

// Field is a packet field that relations test.
type Field struct {
	Name   string
	Type   FieldType
	Prereq Predicate // the predicate a packet must satisfy for the field to exist; "" for none
	get    func(*Packet) fieldValue
}

type fieldValue struct {
	str  string
	addr Addr
	port int
}

// Predicate is a bare protocol name such as tcp or ip4.
type Predicate string

// The protocol predicates the evaluator knows, spelled as in OVN matches.
const (
	PredIP   Predicate = "ip"
	PredIP4  Predicate = "ip4"
	PredIP6  Predicate = "ip6"
	PredTCP  Predicate = "tcp"
	PredUDP  Predicate = "udp"
	PredSCTP Predicate = "sctp"
	PredARP  Predicate = "arp"
	PredND   Predicate = "nd"
)

var predicates = map[string]Predicate{
	"ip": PredIP, "ip4": PredIP4, "ip6": PredIP6, "tcp": PredTCP, "udp": PredUDP, "sctp": PredSCTP,
	"arp": PredARP, "nd": PredND,
}

var fields = map[string]*Field{}

func init() {
	add := func(name string, t FieldType, prereq Predicate, get func(*Packet) fieldValue) {
		fields[name] = &Field{Name: name, Type: t, Prereq: prereq, get: get}
	}
	add("inport", TypeString, "", func(p *Packet) fieldValue { return fieldValue{str: p.InPort} })
	add("outport", TypeString, "", func(p *Packet) fieldValue { return fieldValue{str: p.OutPort} })
	src := func(p *Packet) fieldValue { return fieldValue{addr: p.Src} }
	dst := func(p *Packet) fieldValue { return fieldValue{addr: p.Dst} }
	add("ip4.src", TypeIPv4, PredIP4, src)
	add("ip4.dst", TypeIPv4, PredIP4, dst)
	add("ip6.src", TypeIPv6, PredIP6, src)
	add("ip6.dst", TypeIPv6, PredIP6, dst)
	sport := func(p *Packet) fieldValue { return fieldValue{port: p.SrcPort} }
	dport := func(p *Packet) fieldValue { return fieldValue{port: p.DstPort} }
	for _, proto := range []Predicate{PredTCP, PredUDP, PredSCTP} {
		add(string(proto)+".src", TypePort, proto, sport)
		add(string(proto)+".dst", TypePort, proto, dport)
	}
}

// Holds reports whether the packet satisfies the predicate.
func (p Predicate) Holds(pkt *Packet) bool {
	switch p {
	case "":
		return true
	case PredIP4:
		return pkt.isIPv4()
	case PredIP6:
		return pkt.isIPv6()
	case PredIP:
		return pkt.isIPv4() || pkt.isIPv6()
	case PredTCP:
		return pkt.isL4("TCP")
	case PredUDP:
		return pkt.isL4("UDP")
	case PredSCTP:
		return pkt.isL4("SCTP")
	case PredARP:
		return pkt.ARP
	case PredND:
		return pkt.ND && pkt.isIPv6()
	}
	return false
}
