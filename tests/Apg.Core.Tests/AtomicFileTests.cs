using Apg.Core.Data;

namespace Apg.Core.Tests;

/// <summary>AtomicFile: a whole new file or the old one, never a partial write, and no temporary file left behind.</summary>
public sealed class AtomicFileTests : IDisposable
{
    private readonly TempDir dir = new();
    public void Dispose() => dir.Dispose();

    [Fact]
    public void Writes_create_the_folder_and_replace_the_whole_file()
    {
        var path = dir.File("a/b/out.txt");
        AtomicFile.WriteAllText(path, "first version, longer than the second");
        Assert.Equal("first version, longer than the second", File.ReadAllText(path));
        AtomicFile.WriteAllBytes(path, [1, 2, 3]);
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));
        AtomicFile.WriteAllText(path, "héllo\n");
        Assert.Equal("héllo\n", File.ReadAllText(path, System.Text.Encoding.UTF8));
        Assert.Equal(new[] { "out.txt" }, Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    [Fact]
    public void A_failed_write_leaves_the_old_file_and_no_temporary()
    {
        var path = dir.File("keep.bin");
        AtomicFile.WriteAllBytes(path, [9, 8, 7]);
        var e = Assert.Throws<IOException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(new byte[4096]);
            throw new IOException("disk full");
        }));
        Assert.Equal("disk full", e.Message);
        Assert.Equal(new byte[] { 9, 8, 7 }, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(dir.Path));

        // a first write that fails creates nothing
        var fresh = dir.File("never.bin");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(fresh, _ => throw new InvalidOperationException()));
        Assert.False(File.Exists(fresh));
        Assert.Single(Directory.GetFiles(dir.Path));
    }
}
