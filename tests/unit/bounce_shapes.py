"""Delivery reports as the servers really write them (header sets, wording, part structure), for
tests/unit/test_bounces.py. Each is about a letter or acknowledgement the shared mailbox sent; the
original's own In-Reply-To/References point at the applicant's email, which a report must never be
tied to. Written from the servers' sources and Sisimai's set of sample emails; addresses are made up."""

# Servers write long lines (Gmail does not wrap its text; some headers run on), so the shapes do too.
# ruff: noqa: E501

from __future__ import annotations

MAILBOX = "StrategicIAG@avonandsomerset.police.uk"
ACK = "<173209140512.4121.1558224517693405262@avonandsomerset.police.uk>"
LETTER = "<173209511894.4121.7718920411274520311@avonandsomerset.police.uk>"
APPLICANTS_EMAIL = "<CAH3xq-JtZb0p1Ww9k7sYk6mUq9rH4n0aVb@mail.gmail.com>"


def crlf(text: str) -> bytes:
    """As the message arrives over IMAP: CRLF line ends, UTF-8."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


def our_headers(to: str, message_id: str = ACK, subject: str = "Your application IAG-BQ7K-M2XD") -> str:
    """The header block of the email we sent, as the remote side returns it."""
    return f"""\
Return-Path: <{MAILBOX}>
Received: from EX01.asp.police.uk (mail.avonandsomerset.police.uk [192.0.2.10])
	by mx.example.org with ESMTPS id 4XtN2B0hWSz9sWq
	for <{to}>; Wed, 20 Nov 2024 09:31:02 +0000 (GMT)
From: Strategic IAG <{MAILBOX}>
To: {to}
Subject: {subject}
Date: Wed, 20 Nov 2024 09:31:01 +0000
Message-ID: {message_id}
In-Reply-To: {APPLICANTS_EMAIL}
References: {APPLICANTS_EMAIL}
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 7bit
"""


def our_message(to: str, message_id: str = ACK) -> str:
    return our_headers(to, message_id) + (
        "\nDear applicant,\n\nThank you for applying to join the Bristol Independent Advisory Group.\n"
        "Your reference is IAG-BQ7K-M2XD.\n\nStrategic IAG team\n"
    )


# --- RFC 3464 reports ----------------------------------------------------------------------------------


def postfix(
    recipient: str = "jo.bloggs@example.com",
    status: str = "5.1.1",
    said: str = "550 5.1.1 <jo.bloggs@example.com>: Recipient address rejected: User unknown in virtual"
    "\n    mailbox table",
) -> bytes:
    """Postfix's bounce: "Undelivered Mail Returned to Sender", the whole original returned."""
    return crlf(f"""\
Return-Path: <>
Received: by mail.example.net (Postfix)
	id 4XtN2B0hWSz9sWq; Wed, 20 Nov 2024 09:31:04 +0000 (GMT)
Date: Wed, 20 Nov 2024 09:31:04 +0000 (GMT)
From: MAILER-DAEMON@mail.example.net (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: {MAILBOX}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="4XtN2B0hWSz9sWq.1732095064/mail.example.net"
Content-Transfer-Encoding: 8bit
Message-Id: <20241120093104.4XtN2B0hWSz9sWq@mail.example.net>

This is a MIME-encapsulated message.

--4XtN2B0hWSz9sWq.1732095064/mail.example.net
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mail.example.net.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

For further assistance, please send mail to postmaster.

If you do so, please include this problem report. You can
delete your own text from the attached returned message.

                   The mail system

<{recipient}>: host mx.example.com[192.0.2.25] said: {said} (in reply to RCPT TO
    command)

--4XtN2B0hWSz9sWq.1732095064/mail.example.net
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example.net
X-Postfix-Queue-ID: 4XtN2B0hWSz9sWq
X-Postfix-Sender: rfc822; {MAILBOX}
Arrival-Date: Wed, 20 Nov 2024 09:31:02 +0000 (GMT)

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822;{recipient}
Action: failed
Status: {status}
Remote-MTA: dns; mx.example.com
Diagnostic-Code: smtp; {said}

--4XtN2B0hWSz9sWq.1732095064/mail.example.net
Content-Description: Undelivered Message
Content-Type: message/rfc822
Content-Transfer-Encoding: 8bit

{our_message(recipient)}
--4XtN2B0hWSz9sWq.1732095064/mail.example.net--
""")


def postfix_delayed() -> bytes:
    """Postfix's delay warning (delay_warning_time): only the headers returned, still being retried."""
    return crlf(f"""\
Return-Path: <>
Date: Wed, 20 Nov 2024 13:31:04 +0000 (GMT)
From: MAILER-DAEMON@mail.example.net (Mail Delivery System)
Subject: Delayed Mail (still being retried)
To: {MAILBOX}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="4XtN9k1xq2z9sWr.1732109464/mail.example.net"
Content-Transfer-Encoding: 8bit
Message-Id: <20241120133104.4XtN9k1xq2z9sWr@mail.example.net>

This is a MIME-encapsulated message.

--4XtN9k1xq2z9sWr.1732109464/mail.example.net
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mail.example.net.

####################################################################
# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #
####################################################################

Your message could not be delivered for more than 4 hour(s).
It will be retried until it is 5 day(s) old.

For further assistance, please send mail to postmaster.

                   The mail system

<pat.full@example.org>: host mx.example.org[192.0.2.31] said: 452 4.2.2
    <pat.full@example.org>: Mailbox full, try again later (in reply to RCPT TO
    command)

--4XtN9k1xq2z9sWr.1732109464/mail.example.net
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example.net
X-Postfix-Queue-ID: 4XtN9k1xq2z9sWr
X-Postfix-Sender: rfc822; {MAILBOX}
Arrival-Date: Wed, 20 Nov 2024 09:31:02 +0000 (GMT)

Final-Recipient: rfc822; pat.full@example.org
Original-Recipient: rfc822;pat.full@example.org
Action: delayed
Status: 4.2.2
Remote-MTA: dns; mx.example.org
Diagnostic-Code: smtp; 452 4.2.2 <pat.full@example.org>: Mailbox full, try again
    later
Will-Retry-Until: Mon, 25 Nov 2024 09:31:02 +0000 (GMT)

--4XtN9k1xq2z9sWr.1732109464/mail.example.net
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers
Content-Transfer-Encoding: 8bit

{our_headers("pat.full@example.org", LETTER)}
--4XtN9k1xq2z9sWr.1732109464/mail.example.net--
""")


def exchange_online(with_status_parts: bool = True) -> bytes:
    """Exchange Online's NDR: "Undeliverable:", text and HTML for people, then the DSN and the headers.
    Without the last two, as a gateway that keeps only the first part passes it on."""
    status_parts = f"""\
--_000_AM9PR07MB7123C1E5D6B04A0E9F2D3C4BA1234AM9PR07MB7123eurp_
Content-Type: message/delivery-status

Reporting-MTA: dns;AM9PR07MB7123.eurprd07.prod.outlook.com
Received-From-MTA: dns;AS8PR07MB7456.eurprd07.prod.outlook.com
Arrival-Date: Wed, 20 Nov 2024 09:41:08 +0000

Final-Recipient: rfc822;jo.bloggs@example.con
Action: failed
Status: 5.1.10
Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup
X-Display-Name: Jo Bloggs

--_000_AM9PR07MB7123C1E5D6B04A0E9F2D3C4BA1234AM9PR07MB7123eurp_
Content-Type: text/rfc822-headers

{our_headers("Jo Bloggs <jo.bloggs@example.con>", LETTER)}
"""
    return crlf(f"""\
Received: from AM9PR07MB7123.eurprd07.prod.outlook.com (2603:10a6:20b:2e1::9)
 by AS8PR07MB7456.eurprd07.prod.outlook.com with HTTPS; Wed, 20 Nov 2024
 09:41:12 +0000
MIME-Version: 1.0
From: Microsoft Outlook
	<MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@avonandsomerset.police.uk>
To: <{MAILBOX}>
Date: Wed, 20 Nov 2024 09:41:12 +0000
Content-Type: multipart/report; report-type=delivery-status;
	boundary="_000_AM9PR07MB7123C1E5D6B04A0E9F2D3C4BA1234AM9PR07MB7123eurp_"
X-MS-Exchange-Message-Is-Ndr:
Content-Language: en-GB
Message-ID:
	<2b8e3f76-5c4d-4a7b-9d0e-6f2a1c3b4d5e@AM9PR07MB7123.eurprd07.prod.outlook.com>
In-Reply-To: {LETTER}
References: {LETTER}
Thread-Topic: Your application IAG-BQ7K-M2XD
Thread-Index: AQHbOz4VzN3qmb0GIUq2Xk2x9f3p4Q==
Subject: Undeliverable: Your application IAG-BQ7K-M2XD
X-MS-PublicTrafficType: Email
X-MS-TrafficTypeDiagnostic: AM9PR07MB7123:EE_|AS8PR07MB7456:EE_
Return-Path: <>

--_000_AM9PR07MB7123C1E5D6B04A0E9F2D3C4BA1234AM9PR07MB7123eurp_
Content-Type: multipart/alternative;
	boundary="_002_AM9PR07MB7123C1E5D6B04A0E9F2D3C4BA1234AM9PR07MB7123eurp_"

--_002_AM9PR07MB7123C1E5D6B04A0E9F2D3C4BA1234AM9PR07MB7123eurp_
Content-Type: text/plain; charset="us-ascii"
Content-Transfer-Encoding: quoted-printable

Delivery has failed to these recipients or groups:

Jo Bloggs (jo.bloggs@example.con)<mailto:jo.bloggs@example.con>
The email address you entered couldn't be found. Please check the recipient=
's email address and try to resend the message. If the problem continues, p=
lease contact your helpdesk.


Diagnostic information for administrators:

Generating server: AM9PR07MB7123.eurprd07.prod.outlook.com

jo.bloggs@example.con
Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipien=
t not found by SMTP address lookup'

Original message headers:

Received: from AS8PR07MB7456.eurprd07.prod.outlook.com (2603:10a6:20b:2e1::9=
) by AM9PR07MB7123.eurprd07.prod.outlook.com with HTTPS; Wed, 20 Nov 2024 09=
:41:08 +0000
From: Strategic IAG <{MAILBOX}>
To: Jo Bloggs <jo.bloggs@example.con>
Subject: Your application IAG-BQ7K-M2XD
Date: Wed, 20 Nov 2024 09:41:07 +0000
Message-ID: {LETTER}
In-Reply-To: {APPLICANTS_EMAIL}
References: {APPLICANTS_EMAIL}
MIME-Version: 1.0

--_002_AM9PR07MB7123C1E5D6B04A0E9F2D3C4BA1234AM9PR07MB7123eurp_
Content-Type: text/html; charset="us-ascii"
Content-Transfer-Encoding: quoted-printable

<html>
<head>
<meta http-equiv=3D"Content-Type" content=3D"text/html; charset=3Dus-ascii"=
>
<style>p {{ font-family: Segoe UI; }}</style>
</head>
<body>
<p><b><font color=3D"#000066" size=3D"3" face=3D"Arial">Delivery has failed=
 to these recipients or groups:</font></b></p>
<font color=3D"#000000" size=3D"2" face=3D"Tahoma"><p><a href=3D"mailto:jo.=
bloggs@example.con">Jo Bloggs (jo.bloggs@example.con)</a><br>
The email address you entered couldn't be found.</p></font>
<font color=3D"#808080" size=3D"2" face=3D"Tahoma"><p><b>Diagnostic informa=
tion for administrators:</b></p>
<p>Generating server: AM9PR07MB7123.eurprd07.prod.outlook.com<br>
</p>
<p>jo.bloggs@example.con<br>
Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipien=
t not found by SMTP address lookup'<br>
</p>
<p>Original message headers:</p>
<pre>Message-ID: &lt;{LETTER[1:-1]}&gt;
</pre>
</font>
</body>
</html>

--_002_AM9PR07MB7123C1E5D6B04A0E9F2D3C4BA1234AM9PR07MB7123eurp_--

{status_parts if with_status_parts else ""}--_000_AM9PR07MB7123C1E5D6B04A0E9F2D3C4BA1234AM9PR07MB7123eurp_--
""")


def _gmail(subject: str, human: str, status_fields: str, third_part: str) -> bytes:
    return crlf(f"""\
Delivered-To: {MAILBOX}
Received: by 2002:a05:7208:c24a:b0:8e:1234:5678 with SMTP id q10csp512345rbb;
        Wed, 20 Nov 2024 01:51:12 -0800 (PST)
Return-Path: <>
Received: from mail-sor-f69.google.com (mail-sor-f69.google.com. [209.85.220.69])
        by mx.google.com with SMTPS id a640c23a62f3a-aa4f1b2c3d4si123456766b.512.2024.11.20.01.51.12
        for <{MAILBOX}>
        (Google Transport Security);
        Wed, 20 Nov 2024 01:51:12 -0800 (PST)
Authentication-Results: mx.google.com;
       dkim=pass header.i=@googlemail.com header.s=20230601 header.b=Qm4n7Xy1;
       spf=pass (google.com: domain of postmaster@mail-sor-f69.google.com designates 209.85.220.69 as permitted sender) smtp.helo=mail-sor-f69.google.com;
       dmarc=pass (p=QUARANTINE sp=QUARANTINE dis=NONE) header.from=googlemail.com
Content-Type: multipart/report; boundary="000000000000b1c2d3e4f5a6b7c8"; report-type=delivery-status
From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: {MAILBOX}
Auto-Submitted: auto-replied
Subject: {subject}
References: {ACK}
In-Reply-To: {ACK}
Message-ID: <673db0e0.050a0220.2f3a1b.0c11.GMR@mx.google.com>
Date: Wed, 20 Nov 2024 01:51:12 -0800 (PST)

--000000000000b1c2d3e4f5a6b7c8
Content-Type: multipart/related; boundary="000000000000b1c2d3e4f5a6b7d9"

--000000000000b1c2d3e4f5a6b7d9
Content-Type: multipart/alternative; boundary="000000000000b1c2d3e4f5a6b7e0"

--000000000000b1c2d3e4f5a6b7e0
Content-Type: text/plain; charset="UTF-8"

{human}
--000000000000b1c2d3e4f5a6b7e0
Content-Type: text/html; charset="UTF-8"

<html><head><style>* {{ font-family:Roboto, "Helvetica Neue", Helvetica, Arial, sans-serif; }}</style></head>
<body><table cellpadding="0" cellspacing="0" class="email-wrapper"><tbody><tr><td>
<p>Gmail could not deliver the message. See the text version.</p></td></tr></tbody></table></body></html>
--000000000000b1c2d3e4f5a6b7e0--
--000000000000b1c2d3e4f5a6b7d9
Content-Type: image/png; name="icon.png"
Content-Disposition: attachment; filename="icon.png"
Content-Transfer-Encoding: base64
Content-ID: <icon.png>

iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==
--000000000000b1c2d3e4f5a6b7d9--
--000000000000b1c2d3e4f5a6b7c8
Content-Type: message/delivery-status

Reporting-MTA: dns; googlemail.com
Received-From-MTA: dns; {MAILBOX}
Arrival-Date: Wed, 20 Nov 2024 01:51:09 -0800 (PST)
X-Original-Message-ID: {ACK}

{status_fields}
--000000000000b1c2d3e4f5a6b7c8
{third_part}
--000000000000b1c2d3e4f5a6b7c8--
""")


def gmail_failure() -> bytes:
    """Gmail's "Delivery Status Notification (Failure)" for an address Gmail itself says is not there."""
    human = """\

** Address not found **

Your message wasn't delivered to sam.o.person@gmail.com because the address couldn't be found, or is unable to receive mail.

Learn more here: https://support.google.com/mail/?p=NoSuchUser

The response was:

The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces. For more information, go to https://support.google.com/mail/?p=NoSuchUser
"""
    fields = """\
Final-Recipient: rfc822; sam.o.person@gmail.com
Action: failed
Status: 5.1.1
Remote-MTA: dns; gmail-smtp-in.l.google.com. (142.250.102.26, the server for the domain gmail.com.)
Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does not exist. Please try
 550-5.1.1 double-checking the recipient's email address for typos or
 550-5.1.1 unnecessary spaces. For more information, go to
 550 5.1.1  https://support.google.com/mail/?p=NoSuchUser a640c23a62f3a-aa4f1b2c3d4si1234566b.512 - gsmtp
Last-Attempt-Date: Wed, 20 Nov 2024 01:51:12 -0800 (PST)
"""
    original = f"Content-Type: message/rfc822\n\n{our_message('sam.o.person@gmail.com')}"
    return _gmail("Delivery Status Notification (Failure)", human, fields, original)


def gmail_delay() -> bytes:
    """Gmail's "Delivery Status Notification (Delay)": the remote server did not answer; Gmail retries."""
    human = """\

** Delivery incomplete **

There was a temporary problem delivering your message to chris@example-slow.org.uk. Gmail will retry for 46 more hours. You'll be notified if the delivery fails permanently.

Learn more here: https://support.google.com/mail/answer/7720

The response was:

The recipient server did not accept our requests to connect. For more information, go to https://support.google.com/mail/answer/7720 [mx.example-slow.org.uk. 192.0.2.44: timed out]
"""
    fields = """\
Final-Recipient: rfc822; chris@example-slow.org.uk
Action: delayed
Status: 4.4.1
Diagnostic-Code: smtp; The recipient server did not accept our requests to connect. For more information, go
 to https://support.google.com/mail/answer/7720 [mx.example-slow.org.uk. 192.0.2.44: timed out]
Last-Attempt-Date: Wed, 20 Nov 2024 01:51:12 -0800 (PST)
Will-Retry-Until: Fri, 22 Nov 2024 01:51:09 -0800 (PST)
"""
    headers = (
        f'Content-Type: text/rfc822-headers; charset="UTF-8"\n\n{our_headers("chris@example-slow.org.uk")}'
    )
    return _gmail("Delivery Status Notification (Delay)", human, fields, headers)


def sendmail() -> bytes:
    """Sendmail's "Returned mail: see transcript for details" to two unknown users, with the DSN; its first
    part has no Content-Type header at all (text/plain by default)."""
    recipients = ("alex@example.org", "morgan@example.org")
    fields = "\n".join(
        f"""\
Final-Recipient: RFC822; {address}
Action: failed
Status: 5.1.1
Remote-MTA: DNS; mx.example.org
Diagnostic-Code: SMTP; 550 5.1.1 <{address}>... User unknown
Last-Attempt-Date: Wed, 20 Nov 2024 09:51:12 GMT
"""
        for address in recipients
    )
    return crlf(f"""\
Return-Path: <>
Received: from localhost (localhost)
	by mail.example.org (8.15.2/8.15.2) id 4AK9pC8x012345;
	Wed, 20 Nov 2024 09:51:12 GMT
Date: Wed, 20 Nov 2024 09:51:12 GMT
From: Mail Delivery Subsystem <MAILER-DAEMON@mail.example.org>
Message-Id: <202411200951.4AK9pC8x012345@mail.example.org>
To: <{MAILBOX}>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="4AK9pC8x012345.1732096272/mail.example.org"
Subject: Returned mail: see transcript for details
Auto-Submitted: auto-generated (failure)

This is a MIME-encapsulated message

--4AK9pC8x012345.1732096272/mail.example.org

The original message was received at Wed, 20 Nov 2024 09:51:10 GMT
from mail.avonandsomerset.police.uk [192.0.2.10]

   ----- The following addresses had permanent fatal errors -----
<alex@example.org>
    (reason: 550 5.1.1 <alex@example.org>... User unknown)
<morgan@example.org>
    (reason: 550 5.1.1 <morgan@example.org>... User unknown)

   ----- Transcript of session follows -----
... while talking to mx.example.org.:
>>> RCPT To:<alex@example.org>
<<< 550 5.1.1 <alex@example.org>... User unknown
550 5.1.1 <alex@example.org>... User unknown
>>> RCPT To:<morgan@example.org>
<<< 550 5.1.1 <morgan@example.org>... User unknown
550 5.1.1 <morgan@example.org>... User unknown

--4AK9pC8x012345.1732096272/mail.example.org
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example.org
Received-From-MTA: DNS; mail.avonandsomerset.police.uk
Arrival-Date: Wed, 20 Nov 2024 09:51:10 GMT

{fields}
--4AK9pC8x012345.1732096272/mail.example.org
Content-Type: message/rfc822

{our_message("alex@example.org, morgan@example.org", LETTER)}
--4AK9pC8x012345.1732096272/mail.example.org--
""")


def exim_delay() -> bytes:
    """Exim's delay warning ("Warning: message ... delayed 24 hours"), which Exim sends as a DSN: Status
    4.0.0 (only the class), the remote server's 452 4.2.2 in the Diagnostic-Code."""
    return crlf(f"""\
Return-path: <>
Envelope-to: {MAILBOX}
Received: from Debian-exim by mail.example.org.uk with local (Exim 4.96)
	id 1tDj2e-0007Qx-1Q
	for {MAILBOX};
	Thu, 21 Nov 2024 09:31:04 +0000
Auto-Submitted: auto-replied
From: Mail Delivery System <Mailer-Daemon@mail.example.org.uk>
To: {MAILBOX}
References: {ACK}
Content-Type: multipart/report; report-type=delivery-status; boundary=1732181464-eximdsn-1714636915
MIME-Version: 1.0
Subject: Warning: message 1tDMx8-0003kD-0v delayed 24 hours
Message-Id: <E1tDj2e-0007Qx-1Q@mail.example.org.uk>
Date: Thu, 21 Nov 2024 09:31:04 +0000

--1732181464-eximdsn-1714636915
Content-type: text/plain; charset=us-ascii

This message was created automatically by mail delivery software.
A message that you sent has not yet been delivered to one or more of its
recipients after more than 24 hours on the queue on mail.example.org.uk.

The message identifier is:     1tDMx8-0003kD-0v
The subject of the message is: Your application IAG-BQ7K-M2XD
The date of the message is:    Wed, 20 Nov 2024 09:31:01 +0000

The address to which the message has not yet been delivered is:

  sam@example.org.uk
    host mx.example.org.uk [192.0.2.52]
    Delay reason: SMTP error from remote mail server after RCPT TO:<sam@example.org.uk>:
    452 4.2.2 <sam@example.org.uk>: Mailbox full, try again later

No action is required on your part. Delivery attempts will continue for
some time, and this warning may be repeated at intervals if the message
remains undelivered. Eventually the mail delivery software will give up,
and when that happens, the message will be returned to you.

--1732181464-eximdsn-1714636915
Content-type: message/delivery-status

Reporting-MTA: dns; mail.example.org.uk

Action: delayed
Final-Recipient: rfc822;sam@example.org.uk
Status: 4.0.0
Remote-MTA: dns; mx.example.org.uk
Diagnostic-Code: smtp; 452 4.2.2 <sam@example.org.uk>: Mailbox full, try again later
Will-Retry-Until: Sun, 24 Nov 2024 09:31:01 +0000

--1732181464-eximdsn-1714636915
Content-type: text/rfc822-headers

{our_headers("sam@example.org.uk")}
--1732181464-eximdsn-1714636915--
""")


def global_report() -> bytes:
    """RFC 6533: an internationalised report, message/global-delivery-status and message/global-headers
    (UTF-8 in the fields themselves), for an address with a non-ASCII local part."""
    return crlf(f"""\
Return-Path: <>
From: Mail Delivery System <MAILER-DAEMON@mail.example.cymru>
To: {MAILBOX}
Subject: Undelivered Mail Returned to Sender
Date: Wed, 20 Nov 2024 09:31:04 +0000
Message-ID: <20241120093104.B12C34D56E@mail.example.cymru>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=global-delivery-status;
	boundary="B12C34D56E.1732095064/mail.example.cymru"

--B12C34D56E.1732095064/mail.example.cymru
Content-Description: Notification
Content-Type: text/plain; charset=utf-8

This is the mail system at host mail.example.cymru.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<siân@example.cymru>: unknown user: "siân"

--B12C34D56E.1732095064/mail.example.cymru
Content-Description: Delivery report
Content-Type: message/global-delivery-status

Reporting-MTA: dns; mail.example.cymru
Arrival-Date: Wed, 20 Nov 2024 09:31:02 +0000 (GMT)

Final-Recipient: utf-8; siân@example.cymru
Original-Recipient: utf-8; siân@example.cymru
Action: failed
Status: 5.1.1
Diagnostic-Code: X-Postfix; unknown user: "siân"

--B12C34D56E.1732095064/mail.example.cymru
Content-Description: Undelivered Message Headers
Content-Type: message/global-headers

{our_headers("Siân <siân@example.cymru>", LETTER, subject="Eich cais IAG-BQ7K-M2XD – Grŵp Cynghori")}
--B12C34D56E.1732095064/mail.example.cymru--
""")


def relayed() -> bytes:
    """A DSN that reports success (Action: relayed), sent because someone asked for NOTIFY=SUCCESS."""
    return crlf(f"""\
Return-Path: <>
From: Mail Delivery System <MAILER-DAEMON@relay.example.org>
To: {MAILBOX}
Subject: Successful Mail Delivery Report
Message-Id: <20241120093104.AB12@relay.example.org>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="relay-AB12"

--relay-AB12
Content-Type: text/plain

This is the mail system at host relay.example.org.

Your message was successfully relayed to the following addresses.

<jo@example.org>: relayed to non-DSN-aware mailer

--relay-AB12
Content-Type: message/delivery-status

Reporting-MTA: dns; relay.example.org

Final-Recipient: rfc822; jo@example.org
Action: relayed
Status: 2.0.0
Diagnostic-Code: smtp; 250 2.0.0 Ok: queued as 4XtN2B0hWSz9sWq

--relay-AB12
Content-Type: text/rfc822-headers

{our_headers("jo@example.org")}
--relay-AB12--
""")


def minimal_dsn(per_message: str, per_recipient: str, returned: str = "", **headers: str) -> bytes:
    """A bare RFC 3464 report, for what a server may leave out: the returned part, the Message-ID."""
    extra = "".join(f"{name.replace('_', '-')}: {value}\n" for name, value in headers.items())
    third = f"--dsn-1\n{returned}\n" if returned else ""
    return crlf(f"""\
Return-Path: <>
From: Mail Delivery System <MAILER-DAEMON@mx.example.net>
To: {MAILBOX}
Subject: Undelivered Mail Returned to Sender
Message-ID: <20241120093104.99AA@mx.example.net>
{extra}MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="dsn-1"

--dsn-1
Content-Type: text/plain

Your message could not be delivered.

--dsn-1
Content-Type: message/delivery-status

{per_message}

{per_recipient}

{third}--dsn-1--
""")


# --- Plain-text reports, without delivery-status fields ------------------------------------------------


def exim_failure() -> bytes:
    """Exim's plain-text bounce (bounce_return_message, no DSN): the failure, then the whole original."""
    return crlf(f"""\
Return-path: <>
Envelope-to: {MAILBOX}
Received: from Debian-exim by mail.example.org.uk with local (Exim 4.94.2)
	id 1tDMyA-0003lQ-2F
	for {MAILBOX}; Wed, 20 Nov 2024 09:31:06 +0000
X-Failed-Recipients: robin@example.org.uk
Auto-Submitted: auto-replied
From: Mail Delivery System <Mailer-Daemon@mail.example.org.uk>
To: {MAILBOX}
Subject: Mail delivery failed: returning message to sender
Message-Id: <E1tDMyA-0003lQ-2F@mail.example.org.uk>
Date: Wed, 20 Nov 2024 09:31:06 +0000

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  robin@example.org.uk
    host mx.example.org.uk [192.0.2.52]
    SMTP error from remote mail server after RCPT TO:<robin@example.org.uk>:
    550 5.1.1 <robin@example.org.uk>: Recipient address rejected: User unknown in local recipient table

------ This is a copy of the message, including all the headers. ------

{our_message("robin@example.org.uk")}""")


def exim_old_delay() -> bytes:
    """An older Exim's delay warning, plain text: no copy of the message, only References to it."""
    return crlf(f"""\
Return-path: <>
Auto-Submitted: auto-replied
From: Mail Delivery System <Mailer-Daemon@mail.example.org.uk>
To: {MAILBOX}
References: {APPLICANTS_EMAIL} {ACK}
Subject: Warning: message 1tDMx8-0003kD-0v delayed 24 hours
Message-Id: <E1tDj2e-0007Qx-1Q@mail.example.org.uk>
Date: Thu, 21 Nov 2024 09:31:04 +0000

This message was created automatically by mail delivery software.
A message that you sent has not yet been delivered to one or more of its
recipients after more than 24 hours on the queue on mail.example.org.uk.

The message identifier is:     1tDMx8-0003kD-0v
The subject of the message is: Your application IAG-BQ7K-M2XD
The date of the message is:    Wed, 20 Nov 2024 09:31:01 +0000

The address to which the message has not yet been delivered is:

  sam@example.org.uk
    Delay reason: SMTP error from remote mail server after RCPT TO:<sam@example.org.uk>:
    host mx.example.org.uk [192.0.2.52]: 452 4.2.2 <sam@example.org.uk>: Mailbox full, still retrying

No action is required on your part. Delivery attempts will continue for
some time, and this warning may be repeated at intervals if the message
remains undelivered. Eventually the mail delivery software will give up,
and when that happens, the message will be returned to you.
""")


def qmail() -> bytes:
    """qmail-send's "failure notice", the original copied under "--- Below this line"."""
    return crlf(f"""\
Return-Path: <>
Received: (qmail 28191 invoked for bounce); 20 Nov 2024 09:51:12 -0000
Date: 20 Nov 2024 09:51:12 -0000
From: MAILER-DAEMON@mail.example-isp.net
To: {MAILBOX}
Subject: failure notice

Hi. This is the qmail-send program at mail.example-isp.net.
Sorry, I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<sam.jones@example-isp.net>:
192.0.2.41 does not like recipient.
Remote host said: 550 5.1.1 <sam.jones@example-isp.net>: Recipient address rejected: User unknown
Giving up on 192.0.2.41.

--- Below this line is a copy of the message.

{our_message("sam.jones@example-isp.net", LETTER)}""")


def qmail_local() -> bytes:
    """qmail's own local delivery failing: no SMTP reply, only qmail-local's words and its (#5.1.1)."""
    return crlf(f"""\
Return-Path: <>
Received: (qmail 3302 invoked for bounce); 20 Nov 2024 10:02:40 -0000
Date: 20 Nov 2024 10:02:40 -0000
From: MAILER-DAEMON@example-isp.net
To: {MAILBOX}
Subject: failure notice

Hi. This is the qmail-send program at example-isp.net.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<kim@example-isp.net>:
Sorry, no mailbox here by that name. (#5.1.1)

--- Below this line is a copy of the message.

{our_message("kim@example-isp.net")}""")


def openwave_quoted() -> bytes:
    """ "Mail System Error - Returned Mail" (Openwave/Critical Path at cable ISPs): plain text, the original
    only quoted in the text, its Message-ID among the quoted lines."""
    return crlf(f"""\
Return-Path: <>
From: Mail Administrator <Postmaster@mail.example-cable.net>
Reply-To: Mail Administrator <Postmaster@mail.example-cable.net>
To: {MAILBOX}
Subject: Mail System Error - Returned Mail
Date: Wed, 20 Nov 2024 10:14:23 -0500
Message-ID: <20241120151423.KRXQ18763.mta02.example-cable.net@mta02.example-cable.net>
MIME-Version: 1.0
Content-Type: text/plain

This Message was undeliverable due to the following reason:

Each of the following recipients was rejected by a remote mail server.
The reasons given by the server are included to help you determine why
each recipient was rejected.

    Recipient: <chris.p@example-cable.net>
    Reason:    5.2.1 <chris.p@example-cable.net>... Mailbox disabled for this recipient

Please reply to Postmaster@mail.example-cable.net
if you feel this message to be in error.

Your message was:

    From: Strategic IAG <{MAILBOX}>
    To: chris.p@example-cable.net
    Subject: Your application IAG-BQ7K-M2XD
    Date: Wed, 20 Nov 2024 15:14:20 +0000
    In-Reply-To: {APPLICANTS_EMAIL}
    Message-ID: {LETTER}
""")


def gmail_older_text() -> bytes:
    """Gmail's text-only report from before 2016: no DSN, the original under "----- Original message"."""
    return crlf(f"""\
Return-Path: <>
From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: {MAILBOX}
Subject: Delivery Status Notification (Failure)
Message-ID: <000e0cd5d4e0b1e7a4049c1b2a3c@google.com>
Date: Wed, 20 Nov 2013 01:51:12 +0000
Content-Type: text/plain; charset=ISO-8859-1

This is an automatically generated Delivery Status Notification

Delivery to the following recipient failed permanently:

     jo@example.jp

Technical details of permanent failure:
Google tried to deliver your message, but it was rejected by the server for the recipient domain example.jp by mx.example.jp. [192.0.2.59].

The error that the other server returned was:
550 5.1.1 <jo@example.jp>... User Unknown

----- Original message -----

{our_message("jo@example.jp")}""")


def yahoo() -> bytes:
    """Yahoo's "Failure Notice" (a qmail descendant): a reply code followed by a colon, no enhanced code."""
    return crlf(f"""\
Return-Path: <>
Received: from mta1234.mail.ne1.yahoo.com by sonic.example; Wed, 20 Nov 2024 09:51:12 +0000
From: MAILER-DAEMON@yahoo.com
To: {MAILBOX}
Subject: Failure Notice

Sorry, we were unable to deliver your message to the following address.

<jo.gone@yahoo.com>:
554: delivery error: dd This user doesn't have a yahoo.com account (jo.gone@yahoo.com) [0] - mta1234.mail.ne1.yahoo.com

--- Below this line is a copy of the message.

{our_message("jo.gone@yahoo.com", LETTER)}""")


def exchange_2003() -> bytes:
    """Exchange 2003's text NDR for a letter whose own subject speaks of a delay; no copy, no Message-ID."""
    return crlf(f"""\
From: System Administrator <postmaster@example.local>
To: {MAILBOX}
Subject: Undeliverable: Update on the delay to your application
Date: Wed, 20 Nov 2024 09:31:09 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset="us-ascii"
X-MS-Embedded-Report:

Your message did not reach some or all of the intended recipients.

      Subject:\tUpdate on the delay to your application
      Sent:\t20/11/2024 09:31

The following recipient(s) cannot be reached:

      jo@example.local on 20/11/2024 09:31
            The e-mail address could not be found.  Perhaps the recipient moved to a different e-mail organization, or there was a mistake in the address.  Check the address and try again.
            <mx.example.local #5.1.1 smtp;550 5.1.1 <jo@example.local>... User unknown>
""")


# --- Not delivery reports ------------------------------------------------------------------------------


def person_writing_undeliverable(subject: str) -> bytes:
    return crlf(f"""\
Return-Path: <jo.bloggs@example.com>
From: Jo Bloggs <jo.bloggs@example.com>
To: {MAILBOX}
Subject: {subject}
Date: Wed, 20 Nov 2024 11:02:00 +0000
Message-ID: <CAJo7rLz1x9K0q3p4mN5b6V7c8X9z0A1s2D3f4G5h6J7k8L9@mail.gmail.com>
MIME-Version: 1.0
Content-Type: text/plain; charset="UTF-8"

Hello,

The letter you posted to me came back marked "undeliverable" by Royal Mail. I have
moved to 4 Station Road. My email could not be delivered to your old address either,
so I am writing again. Could you send the forms here?

Jo
""")


def outlook_read_receipt() -> bytes:
    """Outlook's read receipt: multipart/report; report-type=disposition-notification (RFC 8098)."""
    return crlf(f"""\
Return-Path: <>
From: Jo Bloggs <jo.bloggs@example.com>
To: {MAILBOX}
Subject: Read: Your application IAG-BQ7K-M2XD
Date: Wed, 20 Nov 2024 11:05:00 +0000
Message-ID: <DB9PR02MB7258A1B2C3D4E5F6A7B8C9D0E1F2A@DB9PR02MB7258.eurprd02.prod.outlook.com>
Content-Language: en-GB
X-MS-Has-Attach:
Content-Type: multipart/report; report-type=disposition-notification;
	boundary="_003_DB9PR02MB7258A1B2C3D4E5F6A7B8C9D0E1F2A_"
MIME-Version: 1.0

--_003_DB9PR02MB7258A1B2C3D4E5F6A7B8C9D0E1F2A_
Content-Type: text/plain; charset="us-ascii"

Your message

  To: Jo Bloggs
  Subject: Your application IAG-BQ7K-M2XD
  Sent: Wednesday, November 20, 2024 9:31:01 AM (UTC+00:00) Dublin, Edinburgh, Lisbon, London

was read on Wednesday, November 20, 2024 11:05:00 AM (UTC+00:00) Dublin, Edinburgh, Lisbon, London.

--_003_DB9PR02MB7258A1B2C3D4E5F6A7B8C9D0E1F2A_
Content-Type: message/disposition-notification

Final-Recipient: rfc822;jo.bloggs@example.com
Original-Message-ID: {ACK}
Disposition: automatic-action/MDN-sent-automatically; displayed

--_003_DB9PR02MB7258A1B2C3D4E5F6A7B8C9D0E1F2A_--
""")


def out_of_office() -> bytes:
    """Exchange's automatic reply: sent with a null sender, Auto-Submitted, but written by a person."""
    return crlf(f"""\
Return-Path: <>
From: Pat Officer <pat.officer@example.gov.uk>
To: {MAILBOX}
Subject: Automatic reply: Your application IAG-BQ7K-M2XD
Thread-Topic: Your application IAG-BQ7K-M2XD
Date: Wed, 20 Nov 2024 09:31:09 +0000
Message-ID: <LO4P265MB5921F0E1D2C3B4A5968778695A4B3C2D@LO4P265MB5921.GBRP265.PROD.OUTLOOK.COM>
In-Reply-To: {ACK}
References: {ACK}
Auto-Submitted: auto-generated
X-Auto-Response-Suppress: All
X-MS-Exchange-Inbox-Rules-Loop: pat.officer@example.gov.uk
Content-Type: text/plain; charset="us-ascii"
MIME-Version: 1.0

Thank you for your email. I am out of the office until Monday 25 November with no access
to email. Your message has not been forwarded; for anything urgent please contact the
team mailbox.
""")
