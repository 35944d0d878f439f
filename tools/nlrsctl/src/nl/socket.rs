//! A raw `AF_NETLINK` socket: open/bind, options, send, receive, and a
//! request/reply exchange matched by sequence number.

use std::mem::{size_of, zeroed};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::{Duration, Instant};

use super::ack::parse_ack;
use super::consts::*;
use super::error::{Error, Result};
use super::msg::{Messages, MsgBuilder, OwnedMsg};

/// Initial receive buffer size; grown when a datagram is larger.
const RECV_BUF: usize = 32 * 1024;

/// A received datagram.
pub struct Datagram<'a> {
    pub bytes: &'a [u8],
    /// Multicast group it was sent to, if it was multicast and
    /// `NETLINK_PKTINFO` is on.
    pub group: Option<u32>,
}

/// What a completed request produced.
#[derive(Debug, Default)]
pub struct Exchange {
    /// Reply messages (everything but the final ACK / `NLMSG_DONE`).
    pub replies: Vec<OwnedMsg>,
    /// An extack message attached to a success ACK.
    pub warning: Option<String>,
}

pub struct Socket {
    fd: OwnedFd,
    portid: u32,
    seq: u32,
    buf: Vec<u8>,
}

fn cvt(ret: libc::c_int, op: &'static str) -> Result<libc::c_int> {
    if ret < 0 {
        Err(Error::last_os(op))
    } else {
        Ok(ret)
    }
}

fn kernel_addr() -> libc::sockaddr_nl {
    // SAFETY: sockaddr_nl is plain old data; all-zero is valid.
    let mut sa: libc::sockaddr_nl = unsafe { zeroed() };
    sa.nl_family = libc::AF_NETLINK as libc::sa_family_t;
    sa
}

impl Socket {
    /// Opens and binds a netlink socket of protocol `proto` (e.g.
    /// [`NETLINK_GENERIC`]), asking for extended and capped ACKs.
    pub fn open(proto: i32) -> Result<Self> {
        // SAFETY: plain syscall; the returned fd is owned below.
        let fd = cvt(
            unsafe { libc::socket(libc::AF_NETLINK, libc::SOCK_RAW | libc::SOCK_CLOEXEC, proto) },
            "socket",
        )?;
        // SAFETY: fd was just returned by socket() and is owned by nobody else.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        let mut sock = Socket {
            fd,
            portid: 0,
            seq: 0,
            buf: vec![0; RECV_BUF],
        };

        let sa = kernel_addr();
        // SAFETY: sa is a valid sockaddr_nl of the size passed.
        cvt(
            unsafe {
                libc::bind(
                    sock.fd.as_raw_fd(),
                    &sa as *const _ as *const libc::sockaddr,
                    size_of::<libc::sockaddr_nl>() as libc::socklen_t,
                )
            },
            "bind",
        )?;
        let mut bound = kernel_addr();
        let mut len = size_of::<libc::sockaddr_nl>() as libc::socklen_t;
        // SAFETY: bound/len describe a writable sockaddr_nl.
        cvt(
            unsafe {
                libc::getsockname(
                    sock.fd.as_raw_fd(),
                    &mut bound as *mut _ as *mut libc::sockaddr,
                    &mut len,
                )
            },
            "getsockname",
        )?;
        sock.portid = bound.nl_pid;

        // Old kernels lack these; errors then come without TLVs, which is fine.
        let _ = sock.set_int(
            SOL_NETLINK,
            NETLINK_EXT_ACK,
            1,
            "setsockopt(NETLINK_EXT_ACK)",
        );
        let _ = sock.set_int(
            SOL_NETLINK,
            NETLINK_CAP_ACK,
            1,
            "setsockopt(NETLINK_CAP_ACK)",
        );

        sock.seq = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as u32)
            .unwrap_or(1);
        Ok(sock)
    }

    /// The port id the kernel assigned at bind time.
    pub fn portid(&self) -> u32 {
        self.portid
    }

    fn set_int(&self, level: i32, opt: i32, val: i32, op: &'static str) -> Result<()> {
        // SAFETY: val is a live c_int of the size passed.
        cvt(
            unsafe {
                libc::setsockopt(
                    self.fd.as_raw_fd(),
                    level,
                    opt,
                    &val as *const i32 as *const libc::c_void,
                    size_of::<i32>() as libc::socklen_t,
                )
            },
            op,
        )
        .map(drop)
    }

    /// Raises the receive buffer to `bytes` (`SO_RCVBUFFORCE` when
    /// privileged, else up to `rmem_max` with `SO_RCVBUF`), for replies
    /// that come in many parts at once.
    pub fn set_rcvbuf(&self, bytes: i32) {
        if self
            .set_int(libc::SOL_SOCKET, libc::SO_RCVBUFFORCE, bytes, "setsockopt")
            .is_err()
        {
            let _ = self.set_int(libc::SOL_SOCKET, libc::SO_RCVBUF, bytes, "setsockopt");
        }
    }

    /// Raises the send buffer to `bytes`, as [`Socket::set_rcvbuf`] does the
    /// receive buffer, for one large datagram (a batch).
    pub fn set_sndbuf(&self, bytes: i32) {
        if self
            .set_int(libc::SOL_SOCKET, libc::SO_SNDBUFFORCE, bytes, "setsockopt")
            .is_err()
        {
            let _ = self.set_int(libc::SOL_SOCKET, libc::SO_SNDBUF, bytes, "setsockopt");
        }
    }

    /// Makes `seq` the last sequence number used, after a caller numbered
    /// several messages itself.
    pub fn set_seq(&mut self, seq: u32) {
        self.seq = seq;
    }

    /// Joins multicast group `group` (any id, not limited to 32).
    pub fn add_membership(&self, group: u32) -> Result<()> {
        self.set_int(
            SOL_NETLINK,
            NETLINK_ADD_MEMBERSHIP,
            group as i32,
            "setsockopt(NETLINK_ADD_MEMBERSHIP)",
        )
    }

    /// Asks for the destination group of each received datagram.
    pub fn enable_pktinfo(&self) -> Result<()> {
        self.set_int(
            SOL_NETLINK,
            NETLINK_PKTINFO,
            1,
            "setsockopt(NETLINK_PKTINFO)",
        )
    }

    /// Sets `SO_RCVTIMEO`; `None` blocks forever. A receive that times out
    /// fails with [`Error::Timeout`].
    pub fn set_recv_timeout(&self, timeout: Option<Duration>) -> Result<()> {
        let tv = match timeout {
            // A zero timeval means "forever"; round tiny timeouts up.
            Some(d) => libc::timeval {
                tv_sec: d.as_secs() as libc::time_t,
                tv_usec: (d.subsec_micros().max(if d.as_secs() == 0 { 1 } else { 0 }))
                    as libc::suseconds_t,
            },
            None => libc::timeval {
                tv_sec: 0,
                tv_usec: 0,
            },
        };
        // SAFETY: tv is a live timeval of the size passed.
        cvt(
            unsafe {
                libc::setsockopt(
                    self.fd.as_raw_fd(),
                    libc::SOL_SOCKET,
                    libc::SO_RCVTIMEO,
                    &tv as *const libc::timeval as *const libc::c_void,
                    size_of::<libc::timeval>() as libc::socklen_t,
                )
            },
            "setsockopt(SO_RCVTIMEO)",
        )
        .map(drop)
    }

    /// Returns a fresh sequence number.
    pub fn next_seq(&mut self) -> u32 {
        self.seq = self.seq.wrapping_add(1);
        self.seq
    }

    /// Sends one message to the kernel.
    pub fn send(&self, bytes: &[u8]) -> Result<()> {
        let sa = kernel_addr();
        loop {
            // SAFETY: bytes and sa are valid for the lengths passed.
            let n = unsafe {
                libc::sendto(
                    self.fd.as_raw_fd(),
                    bytes.as_ptr() as *const libc::c_void,
                    bytes.len(),
                    0,
                    &sa as *const _ as *const libc::sockaddr,
                    size_of::<libc::sockaddr_nl>() as libc::socklen_t,
                )
            };
            if n >= 0 {
                return Ok(());
            }
            let e = Error::last_os("sendto");
            if e.errno() != libc::EINTR {
                return Err(e);
            }
        }
    }

    fn recvmsg(&mut self, flags: i32, want_cmsg: bool) -> Result<(usize, Option<u32>)> {
        // Room for one cmsghdr carrying a u32 (struct nl_pktinfo).
        let mut cbuf = [0u64; 8];
        loop {
            let mut iov = libc::iovec {
                iov_base: self.buf.as_mut_ptr() as *mut libc::c_void,
                iov_len: self.buf.len(),
            };
            let mut sa = kernel_addr();
            // SAFETY: msghdr is plain old data; all-zero is valid.
            let mut mh: libc::msghdr = unsafe { zeroed() };
            mh.msg_name = &mut sa as *mut _ as *mut libc::c_void;
            mh.msg_namelen = size_of::<libc::sockaddr_nl>() as libc::socklen_t;
            mh.msg_iov = &mut iov;
            mh.msg_iovlen = 1;
            if want_cmsg {
                mh.msg_control = cbuf.as_mut_ptr() as *mut libc::c_void;
                mh.msg_controllen = size_of::<[u64; 8]>() as _;
            }
            // SAFETY: mh points at live buffers of the sizes it states.
            let n = unsafe { libc::recvmsg(self.fd.as_raw_fd(), &mut mh, flags) };
            if n < 0 {
                let e = Error::last_os("recvmsg");
                match e.errno() {
                    libc::EINTR => continue,
                    libc::EAGAIN => return Err(Error::Timeout),
                    libc::ENOBUFS => return Err(Error::Overrun),
                    _ => return Err(e),
                }
            }
            let mut group = None;
            if want_cmsg {
                // SAFETY: the CMSG_* macros walk the control buffer the
                // kernel filled in, bounded by msg_controllen.
                unsafe {
                    let mut c = libc::CMSG_FIRSTHDR(&mh);
                    while !c.is_null() {
                        if (*c).cmsg_level == SOL_NETLINK && (*c).cmsg_type == NETLINK_PKTINFO {
                            let data = libc::CMSG_DATA(c) as *const u32;
                            group = Some(data.read_unaligned());
                        }
                        c = libc::CMSG_NXTHDR(&mh, c);
                    }
                }
            }
            return Ok((n as usize, group.filter(|&g| g != 0)));
        }
    }

    /// Receives one datagram, growing the buffer to fit it.
    pub fn recv(&mut self) -> Result<Datagram<'_>> {
        let (full, _) = self.recvmsg(libc::MSG_PEEK | libc::MSG_TRUNC, false)?;
        if full > self.buf.len() {
            self.buf.resize(full, 0);
        }
        let (n, group) = self.recvmsg(0, true)?;
        Ok(Datagram {
            bytes: &self.buf[..n.min(self.buf.len())],
            group,
        })
    }

    /// Sends `msg` (after stamping seq and pid) and collects its replies up
    /// to the ACK, `NLMSG_DONE`, or — for a request without `NLM_F_ACK` — the
    /// first non-multipart reply. Messages with another sequence number are
    /// skipped. Fails with [`Error::Timeout`] if that takes over `timeout`.
    pub fn request(&mut self, msg: &mut MsgBuilder, timeout: Duration) -> Result<Exchange> {
        let seq = self.next_seq();
        msg.set_seq_pid(seq, self.portid);
        let wants_ack = msg.flags() & NLM_F_ACK != 0;
        self.send(msg.bytes())?;

        let deadline = Instant::now() + timeout;
        let mut ex = Exchange::default();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Error::Timeout);
            }
            self.set_recv_timeout(Some(left))?;
            let dg = self.recv()?;
            for m in Messages::new(dg.bytes) {
                let m = m?;
                if m.hdr.seq != seq {
                    continue;
                }
                match m.hdr.ty {
                    NLMSG_NOOP => {}
                    NLMSG_ERROR => {
                        let ack = parse_ack(m.hdr.flags, m.payload)?;
                        return match ack.result {
                            Ok(warning) => {
                                ex.warning = warning;
                                Ok(ex)
                            }
                            Err(k) => Err(Error::Kernel(k)),
                        };
                    }
                    NLMSG_DONE => return Ok(ex),
                    NLMSG_OVERRUN => return Err(Error::Overrun),
                    _ => {
                        let multi = m.hdr.flags & NLM_F_MULTI != 0;
                        ex.replies.push(m.to_owned());
                        if !wants_ack && !multi {
                            return Ok(ex);
                        }
                    }
                }
            }
        }
    }
}
