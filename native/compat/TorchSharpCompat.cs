using System;
using System.IO;
using System.Text;
#if !APG_CORE
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
#endif

// One copy of the ELF edit, compiled twice: by MSBuild's RoslynCodeTaskFactory into the WeakenElfVersionNeed task
// (TorchSharpCompat.targets, which patches a build output), and into Apg.Core (APG_CORE defined), whose TorchRuntime
// patches a private copy where there is no build output to patch (dotnet fsi scripts).
internal static class ElfVersionNeed
{
    const uint ShtGnuVerneed = 0x6ffffffe;
    public const ushort VerFlgWeak = 0x2;

    /// <summary>
    /// The offset of vna_flags of the symbol-version requirement named version in a little-endian ELF64 file, or -1
    /// when the file does not require that version.
    /// </summary>
    public static int FlagsOffset(byte[] elf, string version)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F' || elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("not a little-endian ELF64 file");
        var shoff = (long)BitConverter.ToUInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3a), shnum = BitConverter.ToUInt16(elf, 0x3c);
        for (var i = 0; i < shnum; i++)
        {
            var sh = shoff + (long)i * shentsize;
            if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed) continue;
            var offset = (long)BitConverter.ToUInt64(elf, (int)sh + 0x18);
            var link = BitConverter.ToUInt32(elf, (int)sh + 0x28);
            var entries = BitConverter.ToUInt32(elf, (int)sh + 0x2c);   // sh_info: number of Verneed entries
            var strtab = (long)BitConverter.ToUInt64(elf, (int)(shoff + link * shentsize) + 0x18);
            var need = offset;
            for (var n = 0; n < entries; n++)
            {
                int count = BitConverter.ToUInt16(elf, (int)need + 2);
                var aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
                for (var a = 0; a < count; a++)
                {
                    if (ReadString(elf, strtab + BitConverter.ToUInt32(elf, (int)aux + 8)) == version) return (int)aux + 4;
                    aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                }
                need += BitConverter.ToUInt32(elf, (int)need + 12);
            }
        }
        return -1;
    }

    /// <summary>True when elf requires version and that requirement is not weak yet.</summary>
    public static bool NeedsWeakening(byte[] elf, string version)
    {
        var at = FlagsOffset(elf, version);
        return at >= 0 && (BitConverter.ToUInt16(elf, at) & VerFlgWeak) == 0;
    }

    /// <summary>Marks the requirement weak (VER_FLG_WEAK) in elf; false when there was nothing to change.</summary>
    public static bool Weaken(byte[] elf, string version)
    {
        if (!NeedsWeakening(elf, version)) return false;
        var at = FlagsOffset(elf, version);
        BitConverter.GetBytes((ushort)(BitConverter.ToUInt16(elf, at) | VerFlgWeak)).CopyTo(elf, at);
        return true;
    }

    static string ReadString(byte[] bytes, long start)
    {
        var end = start;
        while (bytes[end] != 0) end++;
        return Encoding.ASCII.GetString(bytes, (int)start, (int)(end - start));
    }
}

#if !APG_CORE
// MSBuild task: marks one symbol-version requirement of an ELF64 shared library as weak, so the dynamic loader
// accepts a libstdc++ that lacks that version. Writes a patched copy, then renames it over the file: a hard-linked
// copy-local file (the NuGet cache) is never modified.
public class WeakenElfVersionNeed : Task
{
    [Required] public string File { get; set; }
    [Required] public string Version { get; set; }
    [Output] public bool Changed { get; set; }

    public override bool Execute()
    {
        try
        {
            var elf = System.IO.File.ReadAllBytes(File);
            if (!ElfVersionNeed.Weaken(elf, Version)) return true;
            var temp = File + ".weak.tmp";
            System.IO.File.WriteAllBytes(temp, elf);
            System.IO.File.Replace(temp, File, null);
            Changed = true;
            Log.LogMessage(MessageImportance.Normal, $"{File}: {Version} marked weak");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            Log.LogError($"{File}: {e.Message}");
            return false;
        }
    }
}
#endif
