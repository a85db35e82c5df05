namespace Sieve.Core.Lake;

/// <summary>
/// Who may read the lake: its folders and files are created for their owner (the Sink's user) and its group, never
/// for everyone else, whatever the process's umask lets through beyond that. Windows keeps its inherited ACLs.
/// </summary>
public static class LakePermissions
{
    /// <summary>Folders: <c>rwxr-x---</c> (0750).</summary>
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;

    /// <summary>Files: <c>rw-r-----</c> (0640).</summary>
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    /// <summary>Creates <paramref name="path"/> and any missing parent with <see cref="FolderMode"/>.</summary>
    public static void CreateFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            // Directory.CreateDirectory(path, mode) gives the mode to the last folder only: create each missing one.
            string full = Path.GetFullPath(path);
            string? parent = Path.GetDirectoryName(full);
            if (parent is not null && !Directory.Exists(parent))
            {
                CreateFolder(parent);
            }

            Directory.CreateDirectory(full, FolderMode);
        }
    }

    /// <summary>Options to create a new lake file with <see cref="FileMode"/>, for asynchronous writing.</summary>
    public static FileStreamOptions NewFile(int bufferSize)
    {
        var options = new FileStreamOptions
        {
            Mode = System.IO.FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            BufferSize = bufferSize,
            Options = FileOptions.Asynchronous,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }

        return options;
    }
}
