//! Real servers for integration tests: a free loopback port, a child process killed on drop,
//! and a minimal HTTP/1.0 GET (the servers are Go's net/http; 1.0 means no chunking).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A free port on 127.0.0.1 (bound and released; the small race with other processes is
/// acceptable in tests), never one this process handed out before: the OS may give a released
/// port again, and two parallel tests given one port would both talk to whichever server bound
/// it, one failing when the other stopped it.
pub fn free_port() -> u16 {
    static GIVEN: Mutex<Vec<u16>> = Mutex::new(Vec::new());
    let mut given = GIVEN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        if !given.contains(&port) {
            given.push(port);
            return port;
        }
    }
}

/// A running server process, stopped (by PID) when dropped.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Looks `program` up on PATH. Under CI (`CI=true`) a missing program fails the test; elsewhere
/// the caller skips, saying so plainly.
pub fn find(program: &str, package: &str) -> Option<std::path::PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(program))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{program} must be installed in CI (Debian package {package})"
        );
        eprintln!("SKIPPED: {program} not found (install the Debian package {package})");
    }
    found
}

/// Starts `program args…` on 127.0.0.1:`port` and waits until it accepts connections.
pub fn start(program: &std::path::Path, args: &[String], port: u16) -> Server {
    let child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {e}", program.display()));
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let mut server = Server { child, addr };
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        assert!(
            Instant::now() < deadline,
            "{} did not listen on {addr}",
            program.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    if let Ok(Some(status)) = server.child.try_wait() {
        panic!(
            "{} exited ({status}) although something answered on {addr}",
            program.display()
        );
    }
    server
}

/// A response: status, headers (lower-cased names), body.
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// An HTTP/1.0 request to `addr`; the connection closes after the response.
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Response {
    try_request(addr, method, path, headers, body)
        .unwrap_or_else(|e| panic!("{method} {path} on {addr}: {e}"))
}

/// [`request`], returning the error instead of panicking on it.
pub fn try_request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<Response> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(Duration::from_secs(20)))?;
    let mut head = format!(
        "{method} {path} HTTP/1.0\r\nHost: {addr}\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("response head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Ok(Response {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    })
}

/// GET `path` with an Accept header.
pub fn get(addr: SocketAddr, path: &str, accept: &str) -> Response {
    request(addr, "GET", path, &[("Accept", accept)], b"")
}

/// Debian's node exporter on a free port (its own metrics off), or `None` where it is not
/// installed (see [`find`]).
pub fn node_exporter() -> Option<Server> {
    let program = find("prometheus-node-exporter", "prometheus-node-exporter")?;
    let port = free_port();
    Some(start(
        &program,
        &[
            format!("--web.listen-address=127.0.0.1:{port}"),
            "--web.disable-exporter-metrics".into(),
        ],
        port,
    ))
}

/// Debian's Pushgateway on a free port without persistence, ready (`/-/ready` answers 200),
/// or `None` where it is not installed (see [`find`]).
pub fn pushgateway() -> Option<Server> {
    let program = find("prometheus-pushgateway", "prometheus-pushgateway")?;
    let port = free_port();
    let gw = start(
        &program,
        &[
            format!("--web.listen-address=127.0.0.1:{port}"),
            "--persistence.file=".into(),
        ],
        port,
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let ready = try_request(gw.addr, "GET", "/-/ready", &[("Accept", "*/*")], b"");
        if ready.as_ref().is_ok_and(|r| r.status == 200) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "gateway on {} never ready: {:?}",
            gw.addr,
            ready.map(|r| r.status)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(gw)
}
