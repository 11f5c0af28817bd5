"""Runs a command in a real pseudo-terminal (sized 120x40, so a spinner runs) and sends Ctrl-C
(the byte 0x03, which the terminal turns into SIGINT when it is not in raw mode) once the file
named by --when exists. Prints the exit code on the last line as 'EXIT <code>'; the output before it."""
import fcntl, os, pty, select, struct, sys, termios, time

def main() -> None:
    when, timeout = sys.argv[1], float(sys.argv[2])
    cmd = sys.argv[3:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', 40, 120, 0, 0))
    out = bytearray()
    sent = False
    deadline = time.time() + timeout
    status = None
    while time.time() < deadline:
        if not sent and os.path.exists(when):
            os.write(fd, b'\x03')
            sent = True
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                data = os.read(fd, 65536)
            except OSError:
                data = b''
            if data:
                out += data
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = st
            break
    if status is None:
        os.kill(pid, 9)
        _, status = os.waitpid(pid, 0)
    try:
        while True:
            r, _, _ = select.select([fd], [], [], 0.05)
            if not r:
                break
            data = os.read(fd, 65536)
            if not data:
                break
            out += data
    except OSError:
        pass
    sys.stdout.write(out.decode('utf-8', 'replace'))
    code = os.waitstatus_to_exitcode(status)
    sys.stdout.write(f"\nEXIT {code} SENT {int(sent)}\n")

main()
