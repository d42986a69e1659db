namespace Apg.Core.Data;

/// <summary>Writes a whole file or nothing: a temporary file beside the target, then renamed over it.</summary>
public static class AtomicFile
{
    /// <summary>
    /// Calls write with the path of a temporary file beside the target (for writers that take a path, like a plot
    /// library's Save), then renames that file over the target; on failure the temporary file is removed.
    /// </summary>
    public static void WriteVia(string path, Action<string> write)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        // The target's extension stays last: some writers choose the format by it.
        var temp = Path.Combine(directory, $".{Path.GetFileNameWithoutExtension(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp{Path.GetExtension(full)}");
        try
        {
            write(temp);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Writes through a stream, flushed to disk before the rename.</summary>
    public static void Write(string path, Action<Stream> write) =>
        WriteVia(path, temp =>
        {
            using var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            write(stream);
            stream.Flush(flushToDisk: true);
        });

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        Write(path, s => s.Write(copy));
    }

    public static void WriteAllText(string path, string text) =>
        WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));
}
