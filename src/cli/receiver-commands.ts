import type { CliContext } from './context.js';
import type { CommandResult, ReceiptProblem } from '../receiver/index.js';

// Each action imports what it runs (see cli.ts): the kit's crypto loads only for a receiver command.
const kit = () => import('../receiver/index.js');

/** The receiver kit for specialist software. */
export function registerReceiverCommands({ program }: CliContext): void {
  const receiverCommand = program
    .command('receiver')
    .description('receiver kit for specialist software: keys, open sealed messages');
  const emit = (result: CommandResult) => {
    process.stdout.write(result.stdout);
    process.stderr.write(result.stderr);
    process.exitCode = result.exitCode;
  };
  receiverCommand
    .command('keys')
    .description('recipient keys')
    .command('init')
    .description("create the recipient's encryption and signing key pairs and print the public JWKS to register")
    .option('--dir <dir>', 'where to write the key files', '.')
    .option('--kid-prefix <prefix>', 'prefix of the key ids')
    .action(async (options: { dir: string; kidPrefix?: string }) => {
      emit(await (await kit()).runReceiverKeysInit(options));
    });
  receiverCommand
    .command('open <messageFile>')
    .description(
      'decrypt a sealed message, verify the gateway signature against the pinned JWKS and every hash; write XML, metadata and attachments',
    )
    .requiredOption('--out <dir>', 'folder for the opened parts')
    .requiredOption('--gateway-jwks <fileOrUrl>', "the gateway's JWKS as pinned in your configuration")
    .option('--keys <dir>', 'folder with the private encryption key (from receiver keys init)')
    .option('--key <file...>', 'private encryption key file(s)')
    .option('--destination <id>', 'refuse messages for another destination')
    .action(
      async (
        messageFile: string,
        options: { out: string; gatewayJwks: string; keys?: string; key?: string[]; destination?: string },
      ) => {
        const { runReceiverOpen } = await kit();
        emit(
          await runReceiverOpen({
            messageFile,
            outDir: options.out,
            gatewayJwks: options.gatewayJwks,
            ...(options.keys ? { keysDir: options.keys } : {}),
            ...(options.key ? { keyFiles: options.key } : {}),
            ...(options.destination ? { destinationId: options.destination } : {}),
          }),
        );
      },
    );

  const problem = (value: string, previous: ReceiptProblem[] = []): ReceiptProblem[] => {
    const [type = '', title = '', detail] = value.split('|');
    return [...previous, { type, title, ...(detail ? { detail } : {}) }];
  };
  for (const decision of ['accept', 'reject'] as const) {
    const command = receiverCommand
      .command(`${decision} <messageFile>`)
      .description(
        `${decision} a received message: open it, sign the receipt (SET) with your receipt key, send it to the gateway`,
      )
      .requiredOption('--gateway <url>', "the gateway's base URL")
      .requiredOption('--gateway-jwks <fileOrUrl>', "the gateway's JWKS as pinned in your configuration")
      .requiredOption('--signing-key <file>', 'your receipt signing key (private JWK, from receiver keys init)')
      .option('--keys <dir>', 'folder with the private encryption key')
      .option('--key <file...>', 'private encryption key file(s)')
      .option('--destination <id>', 'your destination id');
    if (decision === 'reject')
      command.requiredOption('--problem <type|title|detail>', 'a reason (repeatable)', problem);
    command.action(
      async (
        messageFile: string,
        options: {
          gateway: string;
          gatewayJwks: string;
          signingKey: string;
          keys?: string;
          key?: string[];
          destination?: string;
          problem?: ReceiptProblem[];
        },
      ) => {
        const { runReceiverReceipt } = await kit();
        emit(
          await runReceiverReceipt({
            messageFile,
            gatewayUrl: options.gateway,
            gatewayJwks: options.gatewayJwks,
            signingKeyFile: options.signingKey,
            ...(options.keys ? { keysDir: options.keys } : {}),
            ...(options.key ? { keyFiles: options.key } : {}),
            ...(options.destination ? { destinationId: options.destination } : {}),
            ...(options.problem ? { problems: options.problem } : {}),
          }),
        );
      },
    );
  }

  receiverCommand
    .command('reply <messageFile>')
    .description(
      "answer a received message: encrypt the reply data and attachments to the portal's reply key, sign the metadata with your receipt key, post it to the gateway (or write it)",
    )
    .requiredOption('--kind <kind>', 'notice, request or information')
    .requiredOption('--data <file>', 'the reply data (JSON or XML)')
    .option('--data-type <mediaType>', 'application/json or application/xml (default: from the file extension)')
    .requiredOption('--schema <uri>', 'the schema URI the reply data follow')
    .option('--attach <file...>', 'attachment file(s), each as <file> or <file>@<media type>')
    .requiredOption('--reply-key <file>', "the portal's public reply key (JWK, or a JWK Set of one key)")
    .requiredOption('--signing-key <file>', 'your receipt signing key (private JWK, from receiver keys init)')
    .requiredOption('--gateway-jwks <fileOrUrl>', "the gateway's JWKS as pinned in your configuration")
    .option('--keys <dir>', 'folder with the private encryption key')
    .option('--key <file...>', 'private encryption key file(s)')
    .option('--destination <id>', 'your destination id')
    .option('--reply-id <uuid>', 'the reply id (default: a new UUID); send a reply again with the same id')
    .option('--gateway <url>', "post the reply to this gateway's base URL")
    .option('--out <file>', 'write the reply to this file instead of posting it')
    .action(
      async (
        messageFile: string,
        options: {
          kind: string;
          data: string;
          dataType?: string;
          schema: string;
          attach?: string[];
          replyKey: string;
          signingKey: string;
          gatewayJwks: string;
          keys?: string;
          key?: string[];
          destination?: string;
          replyId?: string;
          gateway?: string;
          out?: string;
        },
      ) => {
        emit(
          await (
            await kit()
          ).runReceiverReply({
            messageFile,
            kind: options.kind,
            dataFile: options.data,
            schemaUri: options.schema,
            replyKeyFile: options.replyKey,
            signingKeyFile: options.signingKey,
            gatewayJwks: options.gatewayJwks,
            ...(options.dataType ? { dataType: options.dataType } : {}),
            ...(options.attach ? { attachments: options.attach } : {}),
            ...(options.keys ? { keysDir: options.keys } : {}),
            ...(options.key ? { keyFiles: options.key } : {}),
            ...(options.destination ? { destinationId: options.destination } : {}),
            ...(options.replyId ? { replyId: options.replyId } : {}),
            ...(options.gateway ? { gatewayUrl: options.gateway } : {}),
            ...(options.out ? { outFile: options.out } : {}),
          }),
        );
      },
    );
}
