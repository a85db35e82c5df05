using System.Text;

namespace Sieve.Commands;

/// <summary>
/// Files only their owner may read (mode 0600): the master keys file, the recall key, an approver's private key, the
/// resolved VINs. The
/// content goes to a new 0600 file beside the target, which then takes the target's name in one rename, so no
/// one else can ever read a byte of it and a crash leaves no half-written file.
/// </summary>
internal static class OwnerOnlyFile
{
    /// <summary>Owner read and write only.</summary>
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Checks that <paramref name="path"/> can be created: its folder exists and, unless <paramref name="overwrite"/>, it does not.</summary>
    /// <exception cref="CliException">It cannot (usage).</exception>
    public static void CheckWritable(string path, string option, bool overwrite)
    {
        string full = Path.GetFullPath(path);
        if (!Directory.Exists(Path.GetDirectoryName(full) ?? "."))
        {
            ThrowHelper.Usage($"{option} '{path}': the folder does not exist");
        }

        if (!overwrite && File.Exists(full))
        {
            ThrowHelper.Usage($"{option} '{path}' already exists; choose a new file" + (option == "--out" ? " or pass --force where the command has it" : ""));
        }
    }

    /// <summary>Writes <paramref name="content"/> to a new 0600 temporary file beside <paramref name="path"/> and returns its name.</summary>
    public static string WriteTemporary(string path, string content)
    {
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? ".";
        string temporary = Path.Combine(directory, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = OwnerOnly;
            }

            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(Encoding.UTF8.GetBytes(content));
                stream.Flush(flushToDisk: true);
            }

            if (!OperatingSystem.IsWindows())
            {
                // The create mode is filtered by the umask; this makes it exactly 0600 whatever the umask is.
                File.SetUnixFileMode(temporary, OwnerOnly);
            }

            return temporary;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Discard(temporary);
            return ThrowHelper.Failure<string>($"cannot write beside '{path}' ({e.GetType().Name}); check the folder's permissions");
        }
    }

    /// <summary>Moves a file <see cref="WriteTemporary"/> wrote to <paramref name="path"/>.</summary>
    public static void Commit(string temporary, string path, bool overwrite)
    {
        try
        {
            File.Move(temporary, Path.GetFullPath(path), overwrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Discard(temporary);
            ThrowHelper.Failure($"cannot write '{path}' ({e.GetType().Name}); it may have been created meanwhile");
        }
    }

    /// <summary>Deletes a temporary file, if it is there.</summary>
    public static void Discard(string temporary)
    {
        if (File.Exists(temporary))
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> with mode 0600.</summary>
    public static void Write(string path, string option, string content, bool overwrite)
    {
        CheckWritable(path, option, overwrite);
        Commit(WriteTemporary(path, content), path, overwrite);
    }
}
