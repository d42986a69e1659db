using System.Diagnostics;

namespace Apg.Core.Training;

/// <summary>Where a result came from: the git commit of the working tree (with "+dirty" when it has changes).</summary>
public static class Provenance
{
    public static string GitCommit()
    {
        try
        {
            var commit = Git("rev-parse HEAD");
            if (string.IsNullOrEmpty(commit)) return "unknown";
            return Git("status --porcelain --untracked-files=no").Length > 0 ? commit + "+dirty" : commit;
        }
        catch (Exception)
        {
            return "unknown";
        }
    }

    private static string Git(string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo("git", arguments)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        })!;
        var output = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : "";
    }
}
