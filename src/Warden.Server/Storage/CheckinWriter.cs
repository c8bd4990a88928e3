using System.Threading.Channels;
using Warden.Server.Api;

namespace Warden.Server.Storage;

/// <summary>
/// Group commit for check-ins: requests queue their check-in and wait; a writer takes whatever has queued while the
/// transactions before were committing (up to <see cref="MaxBatch"/> check-ins or <see cref="MaxFindings"/> findings) and
/// stores it in one transaction, then answers every request in it. A check-in is acknowledged only after its commit,
/// so an acknowledged check-in survives a crash exactly as before; what changes is that a busy server pays one commit
/// (one WAL flush on PostgreSQL) per batch instead of per check-in. Nothing waits to fill a batch: an idle server
/// writes a lone check-in at once. If a batch fails, each of its check-ins is tried alone, so one bad check-in fails
/// only its own request. See docs/adr/0006-check-in-group-commit.md.
/// </summary>
public sealed class CheckinWriter : IAsyncDisposable
{
    public const int MaxBatch = 64;
    public const int MaxFindings = 5_000;

    private readonly Store _store;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>();
    private readonly Task[] _writers;
    private long _batches, _written;

    /// <param name="store">Where check-ins go.</param>
    /// <param name="writers">
    /// Transactions in flight at once; by default one on SQLite (its writes are serialized anyway) and
    /// <see cref="PostgresWriters"/> on PostgreSQL, where one batch's statements run while another's commit is flushed.
    /// </param>
    public CheckinWriter(Store store, int? writers = null)
    {
        _store = store;
        _writers = [.. Enumerable.Range(0, writers ?? (store.Database.Engine == Engine.Postgres ? PostgresWriters : 1)).Select(_ => Task.Run(WriteLoopAsync))];
    }

    public const int PostgresWriters = 2;

    /// <summary>Transactions committed and check-ins written through them since start (for the metrics).</summary>
    public (long Batches, long Checkins) Counts => (Interlocked.Read(ref _batches), Interlocked.Read(ref _written));

    /// <summary>Stores the check-in with whatever else is waiting; null when its token is bound to another machine.</summary>
    public Task<CheckinAccepted?> RecordAsync(Store.CheckinWrite write)
    {
        var pending = new Pending(write, new TaskCompletionSource<CheckinAccepted?>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
            throw new InvalidOperationException("the server is stopping: check-ins are no longer taken");
        return pending.Done.Task;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            var findings = 0;
            while (batch.Count < MaxBatch && findings < MaxFindings && _queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
                findings += next.Write.Checkin.Findings.Count;
            }
            // Machines in one order in every transaction, so two writers' transactions wait for each other rather than
            // deadlock; stable, so a machine's later check-in in the batch is still written last.
            await WriteAsync([.. batch.OrderBy(p => p.Write.Checkin.Machine.Id, StringComparer.Ordinal)]);
        }
    }

    // Never throws: every request in the batch gets its result or its exception.
    private async Task WriteAsync(List<Pending> batch)
    {
        try
        {
            var results = await _store.RecordCheckinsAsync([.. batch.Select(p => p.Write)]);
            Count(batch.Count);
            for (var i = 0; i < batch.Count; i++)
                batch[i].Done.SetResult(results[i]);
            return;
        }
        catch (Exception e) when (batch.Count == 1)
        {
            batch[0].Done.SetException(e);
            return;
        }
        catch (Exception)
        {
            // Nothing of the batch committed; find out which check-in the database refuses by writing each alone.
        }
        foreach (var pending in batch)
        {
            try
            {
                var result = (await _store.RecordCheckinsAsync([pending.Write]))[0];
                Count(1);
                pending.Done.SetResult(result);
            }
            catch (Exception e)
            {
                pending.Done.SetException(e);
            }
        }
    }

    private void Count(int checkins)
    {
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _written, checkins);
    }

    /// <summary>Takes no more check-ins and waits for the queued ones to be written.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_writers);
    }

    private sealed record Pending(Store.CheckinWrite Write, TaskCompletionSource<CheckinAccepted?> Done);
}
