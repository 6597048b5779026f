"""The two timestamp types of the Kubernetes API as kube-apiserver decodes and writes them.

metav1.Time (`creationTimestamp`, an Event's `firstTimestamp`, ...) is read with Go's RFC 3339 layout,
which takes any fractional seconds, and written back in UTC to the second. metav1.MicroTime (an Event's
`eventTime` and `series.lastObservedTime`, a Lease's `acquireTime` and `renewTime`) is read with the layout
`2006-01-02T15:04:05.000000Z07:00`, which needs exactly six fractional digits: `...T10:00:00Z` and
nanoseconds are refused. Both refusals are the real `400 BadRequest` decoding errors, Go's wording."""

import datetime
import re

import kts_errors as errors

TIME_LAYOUT = "2006-01-02T15:04:05Z07:00"
MICRO_LAYOUT = "2006-01-02T15:04:05.000000Z07:00"
_SECONDS = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})")
_ZONE = re.compile(r"^(Z|[+-]\d{2}:\d{2})")


def _refuse(kind, value, detail):
    return errors.bad_request(f'{kind} in version "v1" cannot be handled as a {kind}: parsing time '
                              f'{errors.render_value(value)}{detail}')


def _parse(kind, value, micro):
    """The instant in UTC, or the decoding error Go's time.Parse gives for `value`."""
    layout = MICRO_LAYOUT if micro else TIME_LAYOUT
    if not isinstance(value, str):
        raise errors.bad_request(f'{kind} in version "v1" cannot be handled as a {kind}: json: cannot unmarshal '
                                 f'{type(value).__name__} into Go value of type string')
    head = _SECONDS.match(value)
    if head is None:
        raise _refuse(kind, value, f' as "{layout}": cannot parse "{value}" as "2006"')
    rest = value[head.end():]
    fraction = ""
    if micro:
        if not re.match(r"^\.\d{6}", rest):
            raise _refuse(kind, value, f' as "{layout}": cannot parse "{rest}" as ".000000"')
        fraction, rest = rest[1:7], rest[7:]
    else:
        digits = re.match(r"^\.(\d+)", rest)
        if digits:
            fraction, rest = digits.group(1), rest[digits.end():]
    zone = _ZONE.match(rest)
    if zone is None:
        raise _refuse(kind, value, f' as "{layout}": cannot parse "{rest}" as "Z07:00"')
    if rest[zone.end():]:
        raise _refuse(kind, value, f': extra text: {errors.render_value(rest[zone.end():])}')
    try:
        parsed = datetime.datetime.fromisoformat(value[:head.end()] + "+00:00")
    except ValueError:
        raise _refuse(kind, value, ": month, day or time out of range")
    if zone.group(1) != "Z":
        sign = 1 if zone.group(1)[0] == "+" else -1
        hours, minutes = int(zone.group(1)[1:3]), int(zone.group(1)[4:6])
        parsed -= sign * datetime.timedelta(hours=hours, minutes=minutes)
    return parsed, (fraction + "000000")[:6]


def time_text(kind, value):
    """A metav1.Time as kube-apiserver writes it back: UTC, whole seconds."""
    parsed, _ = _parse(kind, value, micro=False)
    return parsed.strftime("%Y-%m-%dT%H:%M:%SZ")


def micro_time_text(kind, value):
    """A metav1.MicroTime as kube-apiserver writes it back: UTC, six fractional digits."""
    parsed, fraction = _parse(kind, value, micro=True)
    return parsed.strftime("%Y-%m-%dT%H:%M:%S.") + fraction + "Z"
