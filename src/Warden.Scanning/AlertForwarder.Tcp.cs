using System.Net.Sockets;

namespace Warden.Scanning;

public static partial class AlertForwarder
{
    /// <summary>Octet-counted frames over TCP, at least once (see the remarks on <see cref="AlertForwarder"/>).</summary>
    private static async Task<ForwardResult> TcpAsync(ForwardTarget target, List<byte[]> frames, List<string> uids, ForwardOptions options, CancellationToken cancellationToken)
    {
        var backoff = new Backoff(options);
        var queue = new Queue<int>(Enumerable.Range(0, frames.Count));
        var written = new List<int>(); // on the current connection, not yet confirmed by a clean close
        var (sent, resent) = (0, 0);
        string? error = null;
        Socket? socket = null;
        try
        {
            while (queue.Count > 0 || written.Count > 0)
            {
                try
                {
                    socket ??= await ConnectAsync(target, options, cancellationToken);
                    if (queue.Count > 0 && written.Count < Math.Max(1, options.BatchSize))
                    {
                        if (PeerClosed(socket))
                            throw new IOException("the listener closed the connection");
                        var next = queue.Peek();
                        using var deadline = Deadline(options, cancellationToken);
                        await socket.SendAsync(frames[next], SocketFlags.None, deadline.Token);
                        written.Add(queue.Dequeue());
                        continue;
                    }
                    await CloseCleanlyAsync(socket, options, cancellationToken);
                    socket.Dispose();
                    socket = null;
                    sent += written.Count;
                    written.Clear();
                    backoff.Reset();
                }
                catch (Exception ex) when (IsNetworkFailure(ex, cancellationToken))
                {
                    error = Describe(target, ex, options);
                    socket?.Dispose();
                    socket = null;
                    // The listener may not have read what went out on the dead connection: send it again, first.
                    resent += written.Count;
                    queue = new Queue<int>(written.Concat(queue));
                    written.Clear();
                    if (!await backoff.RetryAsync(cancellationToken))
                        break;
                }
            }
        }
        finally
        {
            socket?.Dispose();
        }
        return Result(sent, queue.Concat(written), resent, uids, error);
    }

    private static async Task<Socket> ConnectAsync(ForwardTarget target, ForwardOptions options, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var deadline = Deadline(options, cancellationToken);
            await socket.ConnectAsync(target.Host!, target.Port, deadline.Token);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Whether the listener has closed (or reset) the connection: readable, with nothing to read.</summary>
    private static bool PeerClosed(Socket socket)
    {
        if (!socket.Poll(0, SelectMode.SelectRead))
            return false;
        if (socket.Available == 0)
            return true;
        // A syslog listener has nothing to say; drop whatever it sent so the next check sees the connection's state.
        var buffer = new byte[socket.Available];
        socket.Receive(buffer);
        return false;
    }

    /// <summary>
    /// Ends the stream and waits for the listener to end its own: a listener sees the end only after everything
    /// before it, so a clean close means it read every message; a reset means it did not.
    /// </summary>
    private static async Task CloseCleanlyAsync(Socket socket, ForwardOptions options, CancellationToken cancellationToken)
    {
        if (PeerClosed(socket))
            throw new IOException("the listener closed the connection");
        socket.Shutdown(SocketShutdown.Send);
        var buffer = new byte[512];
        using var deadline = Deadline(options, cancellationToken);
        while (await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token) > 0)
        {
        }
    }
}
