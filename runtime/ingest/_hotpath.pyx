# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The compiled hot path of the ingest stage (the pure-Python twin is `decoder`/`receiver`).

- `v5_count(buf, size)`: the v5 checks that feed the drop counters (count, or 0 = too_small,
  -1 = not_jflow), the twin of `decoder.v5_count`;
- `LineFormat`: decode, start/end arithmetic (uptime wrap included), linkDir and the 16-field
  lines of one datagram as bytes, the twin of `decoder.LineFormat` (same seeded generator:
  one `getrandbits(64 * count)` per datagram is the same stream as `count` calls of
  `getrandbits(64)`);
- `BatchReceiver`: `recvmmsg` many datagrams per system call into fixed slots, the twin of
  `UdpReceiver.drain`'s `recvfrom_into` loop.
"""
from cpython.bytes cimport PyBytes_FromStringAndSize
from cpython.buffer cimport PyObject_GetBuffer, PyBuffer_Release, PyBUF_SIMPLE
from cpython.bytearray cimport PyByteArray_AS_STRING
from libc.stdint cimport uint8_t, uint16_t, uint32_t, uint64_t, int64_t
from libc.string cimport memcpy, memset
from libc.stdlib cimport malloc, free
from libc.errno cimport errno, EAGAIN, EINTR

import random as _random

cdef extern from "<sys/socket.h>" nogil:
    ctypedef unsigned int socklen_t
    cdef struct sockaddr:
        unsigned short sa_family
    cdef struct sockaddr_storage:
        unsigned short ss_family
    cdef struct iovec:
        void *iov_base
        size_t iov_len
    cdef struct msghdr:
        void *msg_name
        socklen_t msg_namelen
        iovec *msg_iov
        size_t msg_iovlen
        void *msg_control
        size_t msg_controllen
        int msg_flags
    cdef struct mmsghdr:
        msghdr msg_hdr
        unsigned int msg_len
    int recvmmsg(int sockfd, mmsghdr *msgvec, unsigned int vlen, int flags, void *timeout)
    int AF_INET
    int AF_INET6
    int MSG_DONTWAIT
    int MSG_TRUNC

cdef extern from "<netinet/in.h>" nogil:
    cdef struct in_addr:
        uint32_t s_addr
    cdef struct sockaddr_in:
        unsigned short sin_family
        unsigned short sin_port
        in_addr sin_addr
    cdef struct in6_addr:
        unsigned char s6_addr[16]
    cdef struct sockaddr_in6:
        unsigned short sin6_family
        unsigned short sin6_port
        in6_addr sin6_addr

cdef extern from "<arpa/inet.h>" nogil:
    const char *inet_ntop(int af, const void *src, char *dst, socklen_t size)

cdef extern from *:
    """
    #define FLOWC_WRAP ((int64_t)4294967296LL)
    #define FLOWC_HALF ((int64_t)2147483648LL)
    #define FLOWC_UPTIME_MAX ((int64_t)4294967295LL)
    """
    const int64_t FLOWC_WRAP
    const int64_t FLOWC_HALF
    const int64_t FLOWC_UPTIME_MAX

DEF HEADER_SIZE = 24
DEF RECORD_SIZE = 48
DEF MAX_RECORDS = 30
DEF WRAP_GUARD = 86400000
DEF LINE_MAX = 200  # fixed fields of one line: 15 separators, 16 numbers, at most ~170 bytes
DEF SLOT_SIZE = 2048  # a v5 datagram is at most 1464 bytes; longer ones are cut (MSG_TRUNC keeps the size)
DEF BATCH = 64

IMPLEMENTATION = "compiled"

cdef const char *DIGITS = (b"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                           b"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                           b"8081828384858687888990919293949596979899")


cdef inline uint32_t _u32(const uint8_t *p) noexcept nogil:
    return (<uint32_t>p[0] << 24) | (<uint32_t>p[1] << 16) | (<uint32_t>p[2] << 8) | p[3]


cdef inline uint16_t _u16(const uint8_t *p) noexcept nogil:
    return <uint16_t>((p[0] << 8) | p[1])


cdef inline char *_unsigned(char *out, uint64_t value) noexcept nogil:
    """Decimal digits of `value` at `out`; the position after them."""
    cdef char tmp[24]
    cdef int n = 24
    cdef unsigned int two
    while value >= 100:
        two = <unsigned int>(value % 100) * 2
        value //= 100
        n -= 2
        tmp[n] = DIGITS[two]
        tmp[n + 1] = DIGITS[two + 1]
    if value >= 10:
        two = <unsigned int>value * 2
        n -= 2
        tmp[n] = DIGITS[two]
        tmp[n + 1] = DIGITS[two + 1]
    else:
        n -= 1
        tmp[n] = <char>(48 + value)
    memcpy(out, tmp + n, 24 - n)
    return out + 24 - n


cdef inline char *_signed(char *out, int64_t value) noexcept nogil:
    if value < 0:
        out[0] = b'-'
        return _unsigned(out + 1, <uint64_t>(-value))
    return _unsigned(out, <uint64_t>value)


cdef inline int64_t _floor_seconds(int64_t ms) noexcept nogil:
    """Python's `ms // 1000` (rounds towards minus infinity)."""
    cdef int64_t q = ms / 1000
    if ms % 1000 != 0 and ms < 0:
        q -= 1
    return q


cdef inline char *_address(char *out, const uint8_t *p) noexcept nogil:
    out = _unsigned(out, p[0])
    out[0] = b'.'
    out = _unsigned(out + 1, p[1])
    out[0] = b'.'
    out = _unsigned(out + 1, p[2])
    out[0] = b'.'
    return _unsigned(out + 1, p[3])


cdef inline int _count(const uint8_t *p, Py_ssize_t size) noexcept nogil:
    cdef int count
    if size < 4:
        return 0
    if _u16(p) != 5:
        return -1
    count = _u16(p + 2)
    if count < 1 or count > MAX_RECORDS:
        return -1
    if size < HEADER_SIZE + RECORD_SIZE * count:
        return 0
    return count


def v5_count(object buf, Py_ssize_t size):
    """The record count of a valid v5 datagram; 0 when too small, -1 when not v5 (not_jflow)."""
    cdef Py_buffer view
    cdef int count
    PyObject_GetBuffer(buf, &view, PyBUF_SIMPLE)
    try:
        count = _count(<const uint8_t *>view.buf, size) if view.len >= 4 else 0
    finally:
        PyBuffer_Release(&view)
    return count


cdef inline int64_t _unwrapped(int64_t t, int64_t late, int64_t early) noexcept nogil:
    if t > late:
        return t - FLOWC_WRAP
    if t < early:
        return t + FLOWC_WRAP
    return t


cdef class LineFormat:
    """Formats the records of one datagram into lines for one (analyzer, ifAlias)."""

    cdef bytes _constants
    cdef object _bits
    cdef char *_out
    cdef Py_ssize_t _capacity

    def __cinit__(self) -> None:
        self._out = NULL
        self._capacity = 0

    def __init__(self, str analyzer_address, str analyzer_id, str if_alias, rng=None) -> None:
        self._constants = "|".join([_escape(v) for v in (analyzer_address, analyzer_id, if_alias)]).encode()
        self._bits = (rng or _random.Random()).getrandbits
        self._capacity = MAX_RECORDS * (LINE_MAX + len(self._constants))
        self._out = <char *>malloc(self._capacity)
        if self._out == NULL:
            raise MemoryError()

    def __dealloc__(self) -> None:
        free(self._out)

    def lines(self, object data, int count) -> bytes:
        """All lines of a checked datagram (see `v5_count`), as bytes."""
        cdef Py_buffer view
        cdef Py_ssize_t length
        if count < 1 or count > MAX_RECORDS:
            raise ValueError(f"record count {count} outside 1..30")
        links = (<object>self._bits(64 * count)).to_bytes(8 * count, "little")
        PyObject_GetBuffer(data, &view, PyBUF_SIMPLE)
        try:
            if view.len < HEADER_SIZE + RECORD_SIZE * count:
                raise ValueError(f"{view.len} bytes: too short for {count} records")
            length = self._format(<const uint8_t *>view.buf, count, links)
        finally:
            PyBuffer_Release(&view)
        return PyBytes_FromStringAndSize(self._out, length)

    cdef Py_ssize_t _format(self, const uint8_t *p, int count, bytes links):
        cdef const uint8_t *link = <const uint8_t *>(<char *>links)
        cdef const char *constants = self._constants
        cdef Py_ssize_t clen = len(self._constants)
        cdef int64_t up = _u32(p + 4)
        cdef int64_t base = <int64_t>_u32(p + 8) * 1000 + <int64_t>(_u32(p + 12) // 1000000) - up
        cdef bint near_wrap = up < WRAP_GUARD or up > FLOWC_UPTIME_MAX - WRAP_GUARD
        cdef int64_t late = up + FLOWC_HALF, early = up - FLOWC_HALF
        cdef int64_t first, last
        cdef uint64_t bits
        cdef char *out = self._out
        cdef const uint8_t *r
        cdef int i, k
        with nogil:
            for i in range(count):
                r = p + HEADER_SIZE + RECORD_SIZE * i
                bits = 0
                for k in range(8):
                    bits |= (<uint64_t>link[8 * i + k]) << (8 * k)
                first = _u32(r + 24)
                last = _u32(r + 28)
                if near_wrap:
                    first = _unwrapped(first, late, early)
                    last = _unwrapped(last, late, early)
                out = _unsigned(out, bits)
                out[0] = b'|'
                memcpy(out + 1, constants, clen)
                out += 1 + clen
                out[0] = b'|'
                out = _address(out + 1, r)
                out[0] = b'|'
                out = _address(out + 1, r + 4)
                out[0] = b'|'
                out = _unsigned(out + 1, _u32(r + 16))
                out[0] = b'|'
                out = _unsigned(out + 1, _u32(r + 20))
                out[0] = b'|'
                out = _signed(out + 1, _floor_seconds(base + first))
                out[0] = b'|'
                out = _signed(out + 1, _floor_seconds(base + last))
                out[0] = b'|'
                out = _unsigned(out + 1, _u16(r + 32))
                out[0] = b'|'
                out = _unsigned(out + 1, _u16(r + 34))
                out[0] = b'|'
                out = _unsigned(out + 1, r[37])
                out[0] = b'|'
                out = _unsigned(out + 1, r[38])
                out[0] = b'|'
                out = _unsigned(out + 1, _u16(r + 40))
                out[0] = b'|'
                out = _unsigned(out + 1, _u16(r + 42))
                out[0] = b'\n'
                out += 1
        return out - self._out


def _escape(text: str) -> str:
    """A constant of the line: `|` and line breaks made harmless (as in the twin)."""
    return text.replace("|", "_").replace("\n", "_").replace("\r", "_")


cdef class BatchReceiver:
    """`recvmmsg` into BATCH fixed slots of one non-blocking UDP socket."""

    cdef int _fd
    cdef mmsghdr _msgs[BATCH]
    cdef iovec _iov[BATCH]
    cdef sockaddr_storage _names[BATCH]
    cdef list _slots
    cdef bytes _last_raw
    cdef str _last_source

    def __init__(self, int fd) -> None:
        cdef int i
        self._fd = fd
        self._slots = [bytearray(SLOT_SIZE) for _ in range(BATCH)]
        self._last_raw = b""
        self._last_source = ""
        memset(self._msgs, 0, sizeof(self._msgs))
        for i in range(BATCH):
            self._iov[i].iov_base = PyByteArray_AS_STRING(self._slots[i])
            self._iov[i].iov_len = SLOT_SIZE
            self._msgs[i].msg_hdr.msg_iov = &self._iov[i]
            self._msgs[i].msg_hdr.msg_iovlen = 1
            self._msgs[i].msg_hdr.msg_name = &self._names[i]

    def drain(self, int index, object handle, int limit=4096) -> int:
        """Read up to `limit` datagrams, calling `handle(buf, size, source, index)` for each;
        the count read."""
        cdef int done = 0, got, i, want
        while done < limit:
            want = BATCH if limit - done > BATCH else limit - done
            for i in range(want):
                self._msgs[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage)
                self._msgs[i].msg_hdr.msg_flags = 0
            with nogil:
                got = recvmmsg(self._fd, self._msgs, want, MSG_DONTWAIT | MSG_TRUNC, NULL)
            if got < 0:
                if errno == EAGAIN or errno == EINTR:
                    break
                raise OSError(errno, "recvmmsg failed")
            for i in range(got):
                done += 1
                handle(self._slots[i], self._msgs[i].msg_len, self._source(i), index)
            if got < want:
                break
        return done

    cdef str _source(self, int i):
        cdef char text[64]
        cdef const void *raw
        cdef int family = self._names[i].ss_family
        cdef Py_ssize_t size
        if family == AF_INET:
            raw = &(<sockaddr_in *>&self._names[i]).sin_addr
            size = 4
        elif family == AF_INET6:
            raw = &(<sockaddr_in6 *>&self._names[i]).sin6_addr
            size = 16
        else:
            return ""
        key = PyBytes_FromStringAndSize(<const char *>raw, size)
        if key == self._last_raw:
            return self._last_source
        if inet_ntop(family, raw, text, sizeof(text)) == NULL:
            return ""
        self._last_raw = key
        self._last_source = text.decode("ascii")
        return self._last_source
