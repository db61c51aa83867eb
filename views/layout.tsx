import type { PropsWithChildren } from "@kitajs/html";

export function Layout({ title, children }: PropsWithChildren<{ title: string }>) {
  return (
    <>
      {"<!doctype html>"}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title safe>{title}</title>
          <link rel="stylesheet" href="/public/app.css" />
          <script src="/public/htmx.min.js" defer></script>
        </head>
        <body>
          <main>{children}</main>
        </body>
      </html>
    </>
  );
}
