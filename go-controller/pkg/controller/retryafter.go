package controller

import (
	"net/http"
	"strconv"
	"strings"
)

// maxRetryAfter is the longest Retry-After the API clients wait. A kube-apiserver that has just started
// answers watches with "Retry-After: 5", which client-go waits out before it even learns that its resource
// version is too old and it must list again: a change written as the server returned took 6 s to program.
// A second keeps within the outage target and still spaces out the retries.
const maxRetryAfter = 1

// CapRetryAfter wraps an API client's transport so that no response asks it to wait more than
// maxRetryAfter seconds before it retries. Use it as a rest.Config's WrapTransport.
func CapRetryAfter(rt http.RoundTripper) http.RoundTripper { return retryAfterCap{rt} }

type retryAfterCap struct{ next http.RoundTripper }

func (c retryAfterCap) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(req)
	if err != nil || resp == nil {
		return resp, err
	}
	if v := resp.Header.Get("Retry-After"); v != "" {
		// A date or a number of seconds (RFC 9110); client-go reads only the seconds, so a date is left alone.
		if s, perr := strconv.Atoi(strings.TrimSpace(v)); perr == nil && s > maxRetryAfter {
			resp.Header.Set("Retry-After", strconv.Itoa(maxRetryAfter))
		}
	}
	return resp, nil
}
