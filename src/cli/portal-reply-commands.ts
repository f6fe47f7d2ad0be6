import type { Command } from 'commander';

/** The portal kit's commands, under `amtsbote portal`: open a reply the gateway forwarded. */
export function registerPortalReplyCommands(portalCommand: Command): void {
  portalCommand
    .command('open-reply <replyFile>')
    .description(
      "verify the gateway's countersignature and the authority's signature of a reply, decrypt it with the portal's reply key, check every hash and write the parts",
    )
    .requiredOption('--key <file...>', "the portal's private reply key file(s)")
    .requiredOption('--gateway-jwks <fileOrUrl>', "the gateway's JWKS as pinned in your configuration")
    .requiredOption('--out <dir>', 'folder for the opened parts')
    .option('--submission <id>', 'refuse a reply to another submission')
    .action(
      async (replyFile: string, options: { key: string[]; gatewayJwks: string; out: string; submission?: string }) => {
        // The portal kit's crypto loads only when this command runs (see cli.ts).
        const { runPortalOpenReply } = await import('../portal-kit/index.js');
        const result = await runPortalOpenReply({
          replyFile,
          keyFiles: options.key,
          gatewayJwks: options.gatewayJwks,
          outDir: options.out,
          ...(options.submission === undefined ? {} : { submissionId: options.submission }),
        });
        process.stdout.write(result.stdout);
        process.stderr.write(result.stderr);
        process.exitCode = result.exitCode;
      },
    );
}
