import { describe, expect, it } from 'vitest';
import { signatureMatches, wecomDecrypt, wecomEncrypt, wecomKey, wecomSignature, WecomCryptoError } from '../src';

/** WeCom's own published examples (reference/wecom-callbacks.md §2): their 2014 timestamps are fine here. */
const A = { corpId: 'wx5823bf96d3bd56c7', token: 'QDG6eK', key: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' };
const A_POST = {
  signature: '477715d11cdb4164915debcba66cb864d751f3e6', timestamp: '1409659813', nonce: '1372623149',
  encrypt: 'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==',
};
const A_GET = { signature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3', timestamp: '1409659589', nonce: '263014780', echostr: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==' };
const B = { corpId: 'ww1436e0e65a779aee', token: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo', key: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt' };
const B_GET = { signature: '012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb', timestamp: '1476416373', nonce: '47744683', echostr: 'fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==' };
const B_POST = {
  signature: '0c3914025cb4b4d68103f6bfc8db550f79dcf48e', timestamp: '1476422779', nonce: '1597212914',
  encrypt: 'Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+',
};

describe('WeCom callback crypto, on WeCom’s published examples', () => {
  it('vector A, POST: the signature verifies and the message decrypts for the corp id', () => {
    expect(wecomSignature(A.token, A_POST.timestamp, A_POST.nonce, A_POST.encrypt)).toBe(A_POST.signature);
    const xml = wecomDecrypt(wecomKey(A.key), A_POST.encrypt, A.corpId);
    expect(xml).toContain('<Content><![CDATA[hello]]></Content>');
    expect(xml).toContain('<MsgId>4561255354251345929</MsgId>');
  });

  it('vector A and B, GET: the echostr decrypts to what the server must answer', () => {
    expect(wecomSignature(A.token, A_GET.timestamp, A_GET.nonce, A_GET.echostr)).toBe(A_GET.signature);
    expect(wecomDecrypt(wecomKey(A.key), A_GET.echostr, A.corpId)).toBe('1616140317555161061');
    expect(wecomSignature(B.token, B_GET.timestamp, B_GET.nonce, B_GET.echostr)).toBe(B_GET.signature);
    expect(wecomDecrypt(wecomKey(B.key), B_GET.echostr, B.corpId)).toBe('1288432023552776189');
  });

  it('vector B, POST: UTF-8 content (你好), pad 22', () => {
    expect(wecomSignature(B.token, B_POST.timestamp, B_POST.nonce, B_POST.encrypt)).toBe(B_POST.signature);
    expect(wecomDecrypt(wecomKey(B.key), B_POST.encrypt, B.corpId)).toBe(
      '<xml><ToUserName>ww1436e0e65a779aee</ToUserName><FromUserName>ChenJiaShun</FromUserName><CreateTime>1476422779</CreateTime><MsgType>text</MsgType><Content>你好</Content><MsgId>1456453720</MsgId><AgentID>1000002</AgentID></xml>',
    );
  });

  it('vector C (deterministic encryption): our ciphertext and signature are WeCom’s', () => {
    const msg = '<xml><ToUserName><![CDATA[mycreate]]></ToUserName><FromUserName><![CDATA[wx5823bf96d3bd56c7]]></FromUserName><CreateTime>1348831860</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[this is a test]]></Content><MsgId>1234567890123456</MsgId><AgentID>128</AgentID></xml>';
    const encrypted = wecomEncrypt(wecomKey(A.key), msg, A.corpId, Buffer.from('0123456789abcdef'));
    expect(encrypted).toBe('sKqRbbiSUnDhFHOvPjtUMdc23JsNXVqHAPPZdO0pIWIMYDThPIeGEfKX2v40MaN9wqY6jfiEfXjU91lWT29R5DJekiGh+kvvWbgJb/xv+e4E7ohGxVjHMNbvtW/W79/IDuKgVJBfBuHgGc9otUO0w1l7Hsae/Ln6/jSCx2GMGlPTrk/Pd9Du8oTb3PrIs9a90wxwbaI9txmYwPqRSx+UWHWpEqcaMDQrfWyNOrIC1LMxfJN98WVM1lo7rHKcEzvuCkg0KtnJTML2WgkG7/evV+9gUXmIvHuAUwYvYhHEQjwQc8mFWnT1QCHyMMAaTYTs9YkB/njRL+wc5wMGWfU13eiwnl5qqIiQ7mvzi8TevQtz+Svc7SLFfrDfOWKuQmQOeAl9qFb+6QvXPBwEA1jAHo2cjnyeAPiQSi0YuLrvv4GqcDtRnbUKYlOP6sETKok0mOls1Z87pkjkonVbXJWABw==');
    expect(wecomSignature(A.token, '1409659813', '1372623149', encrypted)).toBe('d9cdf134dbf5386e31896eb2a79c68dbe53e8cc2');
    expect(wecomDecrypt(wecomKey(A.key), encrypted, A.corpId)).toBe(msg);
  });

  it('refuses another corp id, another key, a changed ciphertext, a bad key and a bad signature', () => {
    const reason = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return (err as WecomCryptoError).reason;
      }
      return 'accepted';
    };
    expect(reason(() => wecomDecrypt(wecomKey(A.key), A_POST.encrypt, 'ww-someone-else'))).toBe('wrong_receiver');
    expect(reason(() => wecomDecrypt(wecomKey(B.key), A_POST.encrypt, A.corpId))).toBe('bad_ciphertext');
    expect(reason(() => wecomDecrypt(wecomKey(A.key), A_POST.encrypt.replace(/^R/, 'S'), A.corpId))).not.toBe('accepted');
    expect(reason(() => wecomKey('too-short'))).toBe('bad_key');
    expect(signatureMatches(A_POST.signature, A_POST.signature.toUpperCase())).toBe(true);
    expect(signatureMatches(A_POST.signature, A_POST.signature.replace(/^4/, '5'))).toBe(false);
    expect(signatureMatches(A_POST.signature, '')).toBe(false);
  });
});
