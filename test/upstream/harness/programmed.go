package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"time"
)

// object is the part of an API object the recorder reads.
type object struct {
	Metadata struct {
		Name            string `json:"name"`
		Generation      int64  `json:"generation"`
		ResourceVersion string `json:"resourceVersion"`
	} `json:"metadata"`
	Status struct {
		Conditions []struct {
			Type               string `json:"type"`
			Status             string `json:"status"`
			ObservedGeneration int64  `json:"observedGeneration"`
		} `json:"conditions"`
	} `json:"status"`
}

// programmed reports whether the object says tieracl programmed its current generation (True, or
// False: the controller acted on it and failed closed; either way NB holds that generation).
func (o object) programmed(gen int64) bool {
	for _, c := range o.Status.Conditions {
		if c.Type == "Programmed" && c.ObservedGeneration >= gen && c.Status != "Unknown" {
			return true
		}
	}
	return false
}

type watchEvent struct {
	Type   string `json:"type"`
	Object object `json:"object"`
}

// watchProgrammed watches the written object from the write's resourceVersion on, in the background,
// and records when its Programmed condition covers the written generation.
func (r *Recorder) watchProgrammed(write Event, resourceVersion string) bool {
	if r.Watch == nil || r.Host == "" || write.Name == "" {
		return false
	}
	r.pending.Add(1)
	go func() {
		defer r.pending.Done()
		timeout := r.Timeout
		if timeout == 0 {
			timeout = 30 * time.Second
		}
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		at, err := r.waitProgrammed(ctx, write, resourceVersion)
		if err != nil {
			return // no Programmed event: the summary counts the write as unmeasured
		}
		r.add(Event{At: at, Kind: KindProgrammed, Group: write.Group, Version: write.Version,
			Resource: write.Resource, Name: write.Name, Generation: write.Generation, Since: at.Sub(write.At)})
	}()
	return true
}

func (r *Recorder) waitProgrammed(ctx context.Context, write Event, resourceVersion string) (time.Time, error) {
	q := url.Values{}
	q.Set("watch", "true")
	q.Set("fieldSelector", "metadata.name="+write.Name)
	q.Set("resourceVersion", resourceVersion)
	q.Set("allowWatchBookmarks", "false")
	u := fmt.Sprintf("%s/apis/%s/%s/%s?%s", r.Host, write.Group, write.Version, write.Resource, q.Encode())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return time.Time{}, err
	}
	resp, err := (&http.Client{Transport: r.Watch}).Do(req)
	if err != nil {
		return time.Time{}, err
	}
	defer func() { _ = resp.Body.Close() }() // ends the watch; a failed close loses nothing
	if resp.StatusCode != http.StatusOK {
		return time.Time{}, fmt.Errorf("watch %s: %s", u, resp.Status)
	}
	dec := json.NewDecoder(resp.Body)
	for {
		var ev watchEvent
		if err := dec.Decode(&ev); err != nil {
			return time.Time{}, err
		}
		if ev.Type == "DELETED" {
			return time.Time{}, fmt.Errorf("%s deleted before it was programmed", write.Name)
		}
		if ev.Object.programmed(write.Generation) {
			return time.Now(), nil
		}
	}
}

func sortByTime(evs []Event) {
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].At.Before(evs[j].At) })
}
