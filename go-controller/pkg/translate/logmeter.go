package translate

import "github.com/tieracl/tieracl/go-controller/pkg/nbrows"

// LogMeterName is the Meter every logged ACL names. Only logged ACLs name it: a meter on an ACL that
// does not log does nothing but make ovn-northd create a Southbound meter for it.
const LogMeterName = "tieracl_acl_logging"

// DefaultACLLogRate is the log messages per second one ACL may write when no rate is configured: enough
// to see what a policy does, too few for a flood of denied packets to swamp ovn-controller and the logs.
const DefaultACLLogRate = 20

// addLogMeter adds the rate-limiting Meter when some ACL logs. It is fair, so one noisy ACL cannot use up
// the messages of the others; its burst equals its rate.
func (b *builder) addLogMeter(rate int) {
	if rate <= 0 {
		rate = DefaultACLLogRate
	}
	for _, a := range b.state.ACLs {
		if a.Meter == "" {
			continue
		}
		b.state.Meters = []nbrows.Meter{{Name: LogMeterName, Unit: nbrows.MeterUnitPktps, Fair: true, Rate: rate,
			Burst: rate, ExternalIDs: map[string]string{nbrows.KeyManagedBy: nbrows.ManagedByValue,
				nbrows.KeyOwnerKind: nbrows.OwnerKindLogMeter, nbrows.KeyOwnerName: LogMeterName}}}
		return
	}
}
