package election

// Notification is FastLeaderElection's message (ZooKeeper's buildMsg fields).
type Notification struct {
	From, To      uint64
	State         State // sender's state
	Vote          Vote
	ElectionEpoch int64 // sender's logical clock
}

// MarshalBinary encodes n.
func (n Notification) MarshalBinary() ([]byte, error) {
	return nil, nil
}

// UnmarshalNotification decodes a notification encoded by MarshalBinary. It
// never panics: bad input is an error.
func UnmarshalNotification(b []byte) (Notification, error) {
	return Notification{}, nil
}
