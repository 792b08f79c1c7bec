package auth

import (
	"sync"
	"time"
)

// Throttle slows down password guessing: after MaxFailures failed logins
// for one key (a user name, or a client address) within Window, that key
// is locked out for Lockout, doubling with each further lockout up to
// MaxLockout. A success clears the key. It is safe for concurrent use and
// holds at most MaxKeys keys, dropping the oldest quiet ones first.
type Throttle struct {
	MaxFailures int
	Window      time.Duration
	Lockout     time.Duration
	MaxLockout  time.Duration
	MaxKeys     int
	Now         func() time.Time // the clock; time.Now when nil

	mu   sync.Mutex
	keys map[string]*attempts // guarded by mu
}

type attempts struct {
	failures    int
	first, last time.Time // of the failures counted
	lockouts    int
	until       time.Time // locked out until then
}

// NewThrottle returns a throttle with Ward's defaults: 5 failures in 15
// minutes lock a key out for 1 minute, then 2, 4… up to an hour.
func NewThrottle() *Throttle {
	return &Throttle{MaxFailures: 5, Window: 15 * time.Minute, Lockout: time.Minute,
		MaxLockout: time.Hour, MaxKeys: 100000}
}

func (t *Throttle) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

// Allow reports whether key may try to log in now and, when not, how long
// it must wait.
func (t *Throttle) Allow(key string) (bool, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	a := t.keys[key]
	if a == nil {
		return true, 0
	}
	if wait := a.until.Sub(t.now()); wait > 0 {
		return false, wait
	}
	return true, 0
}

// Fail records a failed login for key.
func (t *Throttle) Fail(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if t.keys == nil {
		t.keys = map[string]*attempts{}
	}
	a := t.keys[key]
	if a == nil {
		t.makeRoomLocked(now)
		a = &attempts{}
		t.keys[key] = a
	}
	if a.failures > 0 && now.Sub(a.first) > t.Window {
		a.failures = 0
	}
	if a.failures == 0 {
		a.first = now
	}
	a.failures++
	a.last = now
	if a.failures >= t.MaxFailures {
		lock := t.Lockout << min(a.lockouts, 20)
		a.until = now.Add(min(lock, t.MaxLockout))
		a.lockouts++
		a.failures = 0
	}
}

// Succeed clears key after a successful login.
func (t *Throttle) Succeed(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.keys, key)
}

// makeRoomLocked drops keys that are neither locked out nor recent, and
// failing that the quietest, so that a flood of names cannot grow the
// table without bound. t.mu must be held.
func (t *Throttle) makeRoomLocked(now time.Time) {
	if len(t.keys) < t.MaxKeys {
		return
	}
	var oldest string
	var oldestAt time.Time
	for k, a := range t.keys {
		if now.After(a.until) && now.Sub(a.last) > t.Window {
			delete(t.keys, k)
			continue
		}
		if oldest == "" || a.last.Before(oldestAt) {
			oldest, oldestAt = k, a.last
		}
	}
	if len(t.keys) >= t.MaxKeys {
		delete(t.keys, oldest)
	}
}
