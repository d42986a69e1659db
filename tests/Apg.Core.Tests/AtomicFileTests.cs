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

    [Fact]
    public void A_path_writer_gets_a_temporary_with_the_targets_extension_and_a_failure_leaves_the_old_file()
    {
        var path = dir.File("figure.png");
        AtomicFile.WriteAllBytes(path, [1, 2]);
        string? seen = null;
        AtomicFile.WriteVia(path, temp =>
        {
            seen = temp;
            File.WriteAllBytes(temp, [3, 4, 5]);
        });
        Assert.EndsWith(".png", seen);
        Assert.NotEqual(Path.GetFullPath(path), seen);
        Assert.Equal(new byte[] { 3, 4, 5 }, File.ReadAllBytes(path));
        Assert.Throws<IOException>(() => AtomicFile.WriteVia(path, temp =>
        {
            File.WriteAllBytes(temp, [6]);
            throw new IOException("renderer failed");
        }));
        Assert.Equal(new byte[] { 3, 4, 5 }, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(dir.Path));
    }
}
